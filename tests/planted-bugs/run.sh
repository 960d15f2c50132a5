#!/usr/bin/env bash
# Plants, one at a time, the realistic bugs the test suite must catch (issue: "tests that catch the bugs that
# matter"), runs the fast unit suite against each, and reports how many tests fail. Every bug must fail at least two
# tests. The working tree is restored after each bug, and on exit.
#   bash tests/planted-bugs/run.sh            # all bugs
#   bash tests/planted-bugs/run.sh add-inputs # one bug by name
set -uo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# name | file | text as it is | text with the bug
bugs=(
  "depthwise-channels|src/CnnCost/Costs/CostModel.cs|flops = CostEquations.ConvolutionFlops(weights, output, batch);|flops = CostEquations.ConvolutionFlops(conv.Groups > 1 \&\& conv.Groups == conv.Filters ? weights / conv.Filters : weights, output, batch);"
  "scope-added-layer|src/CnnCost/Changes/ChangeAnalysis.cs|reachesAll = !existedBefore \|\| resized.Contains(next);|reachesAll = resized.Contains(next);"
  "scope-heights-only|src/CnnCost/Changes/ChangeAnalysis.cs|before.Layers\[b\].Output.Spatial != row.Output.Spatial|before.Layers[b].Output.Height != row.Output.Height"
  "roofline-fp32-input|src/CnnCost/Hardware/Roofline.cs|row.InputShapes.Sum(s => precision.BytesFor(checked(s.Elements \* report.Batch)))|row.InputShapes.Sum(s => 4 * s.Elements * report.Batch)"
  "add-inputs|src/CnnCost/Costs/CostModel.cs|checked(outputElements \* (inputShapes.Length - 1))|outputElements"
  "same-floor|src/CnnCost/Import/Onnx/OnnxImporter.cs|var output = ((long)input + stride - 1) / stride;|var output = (long)input / stride;"
  "caffe-dilation|src/CnnCost/Import/CaffeImporter.cs|Window(p, \"dilation\", 1, 1)|new Size2(1, 1)"
  "last-window|src/CnnCost/Graph/ShapeInference.cs|steps \* stride >= input + (long)padBegin|steps * stride > long.MaxValue - 1"
  "tree-depth-floor|src/CnnCost/Distributed/Communication.cs|for (long reach = 1; reach < workers; reach \*= Branching)|for (long reach = Branching; reach <= workers; reach *= Branching)"
)

only="${1:-}"
backup=$(mktemp -d)
planted=""
restore() { [ -n "$planted" ] && cp "$backup/file" "$planted"; planted=""; }
trap 'restore; rm -rf "$backup"' EXIT
status=0
printf '%-22s %s\n' "bug" "failing tests"
for entry in "${bugs[@]}"; do
  IFS='|' read -r name file before after <<< "$entry"
  [ -n "$only" ] && [ "$only" != "$name" ] && continue
  if ! grep -qF -- "$(sed 's/\\//g' <<< "$before")" "$file"; then
    printf '%-22s %s\n' "$name" "NOT PLANTED: the line it changes is no longer in $file"
    status=1
    continue
  fi
  cp "$file" "$backup/file"
  planted="$file"
  sed -i "s|$before|$after|" "$file"
  if cmp -s "$file" "$backup/file"; then
    printf '%-22s %s\n' "$name" "NOT PLANTED: the substitution changed nothing in $file"
    status=1
    restore
    continue
  fi
  if ! dotnet build tests/CnnCost.Tests -c Release -v q -nologo > /tmp/planted-build.log 2>&1; then
    printf '%-22s %s\n' "$name" "DOES NOT BUILD (see /tmp/planted-build.log)"
    status=1
    restore
    continue
  fi
  failed=$(dotnet test tests/CnnCost.Tests -c Release --no-build 2>&1 | grep -E '^\s+Failed ' | sed -E 's/^\s+Failed ([^ ]+).*/\1/' | sort -u)
  count=$(grep -c . <<< "$failed")
  printf '%-22s %s\n' "$name" "$count"
  sed 's/^/    /' <<< "$failed"
  [ "$count" -ge 2 ] || status=1
  restore
done
exit $status
