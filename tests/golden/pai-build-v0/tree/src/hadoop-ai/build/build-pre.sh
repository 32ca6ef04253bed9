#!/bin/bash
pushd $(dirname "$0") > /dev/null
echo compiling
popd > /dev/null
