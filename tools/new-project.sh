#!/usr/bin/env bash
# Creates a workspace project the way every project here is laid out:
#   tools/new-project.sh libs/pipeline @coin/pipeline type:lib scope:pipeline uses:none
# then add its scope to `layers` in eslint.config.mjs and run `npm install` to link it.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 <dir> <package name> <nx tag>..." >&2; exit 2; }
dir=$1 name=$2
shift 2
[ -e "$dir" ] && { echo "$dir already exists" >&2; exit 1; }
tags=$(printf '"%s",' "$@")
mkdir -p "$dir/src"
cat > "$dir/package.json" <<JSON
{
  "name": "$name",
  "version": "0.1.0",
  "private": true,
  "type": "module",
  "exports": {
    ".": "./src/index.ts"
  },
  "scripts": {
    "test": "node ../../tools/test-project.mjs"
  },
  "nx": {
    "tags": [${tags%,}]
  }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "include": ["src/**/*.ts"]
}
JSON
echo "created $dir ($name)"
