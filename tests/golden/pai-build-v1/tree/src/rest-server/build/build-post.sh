#!/bin/bash
echo built rest-server
