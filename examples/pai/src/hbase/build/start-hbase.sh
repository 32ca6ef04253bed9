#!/bin/sh
# start the HBase master in the foreground
set -e
exec "$HBASE_HOME/bin/hbase" master start
