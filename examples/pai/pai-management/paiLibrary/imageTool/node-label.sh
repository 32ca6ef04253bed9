#!/bin/sh
# a helper every image carries, copied in by base-image's copy-list
# (OpenPAI copied paiLibrary/imageTool/ the same way)
echo "node: ${NODE_NAME:-unknown}"
