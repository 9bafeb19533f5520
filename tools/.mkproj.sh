mkproj () 
{ 
    local dir=$1 name=$2;
    mkdir -p $dir/src;
    shift 2;
    local tags=$(printf '"%s",' "$@");
    tags="[${tags%,}]";
    cat > $dir/package.json <<EOF
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
    "tags": $tags
  }
}
EOF

    cat > $dir/tsconfig.json <<EOF
{
  "extends": "../../tsconfig.base.json",
  "include": ["src/**/*.ts"]
}
EOF

}
