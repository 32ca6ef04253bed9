#!/bin/bash
pushd $(dirname "$0") > /dev/null
mkdir -p ../dependency
cp -arf ../../../docs ../dependency
popd > /dev/null
