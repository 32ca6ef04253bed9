#!/bin/bash
# as OpenPAI's webportal: copies from elsewhere in the project into the service
pushd $(dirname "$0") > /dev/null
echo "hook: cwd $(pwd) args $# script $0 PORTAL_ENV=${PORTAL_ENV:-unset}"
mkdir -p "../dependency"
cp -arf "../../../docs" "../dependency"
cp -arfT "../../../version" "../version"
echo "portal" > ../version/COMMIT.VERSION
if [ -f ../../../docs/FAIL ]; then
    echo "docs/FAIL is there: stopping" >&2
    exit 3
fi
popd > /dev/null
