#!/bin/sh
# prints its arguments as a greeting
echo "hello: $*"
