#!/bin/sh
# tests/validator/layout.sh NM LIBRARY FILE...: the validator's files call one way only. FILEs are
# validator/'s sources top to bottom (validator/CMakeLists.txt); each member of LIBRARY may use a
# symbol defined by another member only if that member's file comes later in the list. Prints each
# call "up" (or across, to a file listed before) and exits 1 if there is any.
nm=$1 lib=$2
shift 2
rank() { i=0; for f in "$@"; do [ "$f" = "$want" ] && { echo $i; return; }; i=$((i + 1)); done; echo -1; }
defs=$(mktemp) && uses=$(mktemp) || exit 2
trap 'rm -f "$defs" "$uses"' EXIT
# "member symbol" for every global definition, and for every undefined reference
"$nm" -A -g --defined-only "$lib" | sed -n 's/^[^:]*:\([^:]*\)\.o:[0-9a-f]* [A-Z] \(.*\)$/\1 \2/p' | sort -k2 > "$defs"
"$nm" -A -u "$lib" | sed -n 's/^[^:]*:\([^:]*\)\.o: *U \(.*\)$/\1 \2/p' | sort -k2 > "$uses"
[ -s "$defs" ] || { echo "layout: no symbols read from $lib"; exit 2; }
bad=0
for m in $(cut -d' ' -f1 "$defs" | sort -u); do
	want=$m; [ "$(rank "$@")" -ge 0 ] || { echo "layout: $m is not in validator/CMakeLists.txt's order"; bad=1; }
done
join -1 2 -2 2 -o 1.1,2.1,0 "$uses" "$defs" | while read -r user def sym; do
	[ "$user" = "$def" ] && continue
	want=$user; ru=$(rank "$@"); want=$def; rd=$(rank "$@")
	[ "$rd" -gt "$ru" ] || echo "layout: $user calls up: $sym of $def"
done > "$defs.up"
if [ -s "$defs.up" ]; then cat "$defs.up"; bad=1; fi
rm -f "$defs.up"
[ $bad = 0 ] && echo "layout: $# files, every call goes down"
exit $bad
