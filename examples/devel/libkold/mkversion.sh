#!/bin/sh
# Writes the version header of libkold.
printf '#define KOLD_VERSION "%s"\n' "$1"
