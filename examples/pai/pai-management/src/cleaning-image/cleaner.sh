#!/bin/sh
# removes what finished jobs left on a node
echo cleaning
