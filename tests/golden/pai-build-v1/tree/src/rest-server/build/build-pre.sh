#!/bin/bash
pushd $(dirname "$0") > /dev/null
cp -arf "../../../version" "../version"
popd > /dev/null
