#!/bin/bash
# Hand checks of the run folders' safety (issue 10), as a user would run them: two runs on one
# folder, a kill -9 loop on --resume, overwrites without --force, a moved run, multitrial
# killed and resumed against an uninterrupted one. Prints a Markdown table. The unit tests
# (RunFolderSafetyTest, RunLockTest, MultiTrialResumeTest, PortableRunTest, OutputsTest) check
# the same in child JVMs; this is the end-to-end version for a closing note.
#   benchmarks/run-folder-checks.sh [JAR] [MNIST_DIR] [WORK_DIR]     (about 2 minutes on 2 cores)
set -u
J=$(realpath "${1:-java/jnas-cli/target/jnas.jar}")
D=$(realpath "${2:-../shared/data/mnist}")
W=${3:-$(mktemp -d)}; rm -rf "$W"; mkdir -p "$W"; cd "$W"
S="--data $D --layers 1 --channels 4 --nodes 2 --batch 32 --epochs 2 --steps-per-epoch 12 --controller-steps 2 --derive-samples 3 --validation 96"
L="--data $D --layers 2 --channels 8 --nodes 3 --batch 32 --epochs 12 --steps-per-epoch 40 --controller-steps 2 --derive-samples 3 --validation 96"
row() { printf '| %s | %s | %s |\n' "$1" "$2" "$3"; }
echo "| check | command | result |"; echo "|---|---|---|"
# 1 lock: two searches on one folder
java -jar $J search $L --out same > a.out 2> a.err & P=$!
sleep 2
java -jar $J search $S --out same > b.out 2> b.err; rc=$?
java -jar $J search --resume same > b2.out 2> b2.err; rc2=$?
wait $P; rc1=$?
starts=$(grep -c '"event":"start"' same/log.jsonl)
row "two searches, one folder" "search --out same, then (while it runs) search --out same and search --resume same" "exit $rc ($(tail -1 b.err | sed 's/^jnas search: //' | cut -c1-70)); exit $rc2 ($(tail -1 b2.err | sed 's/^jnas search: //' | cut -c1-120)); the first: exit $rc1, one start event in log.jsonl ($starts)"
# 2 lock: train twice
java -jar $J train --genotype darts-v2 --data $D --layers 2 --channels 4 --no-aux --epochs 4 --batch 16 --train-subset 2000 --test-subset 16 --out tr > c.out 2> c.err & P=$!
sleep 3
java -jar $J train --resume tr > d.out 2> d.err; rc=$?
wait $P; rc1=$?
row "two trains, one folder" "train --out tr, then (while it runs) train --resume tr" "exit $rc ($(tail -1 d.err | sed 's/^jnas train: //' | cut -c1-120)); the first: exit $rc1"
# 3 kill -9 loop on search --resume
java -jar $J search $L --out k > /dev/null 2>&1 & P=$!; sleep 4; kill -9 $P; wait $P 2>/dev/null
for i in $(seq 1 10); do
  java -jar $J search --resume k > /dev/null 2>&1 & P=$!
  sleep $(awk -v s=$i 'BEGIN{srand(s); printf "%.1f", 2+rand()*3}'); kill -9 $P 2>/dev/null || echo "round $i: ended before the kill" >&2; wait $P 2>/dev/null
done
tmpb=$(find k -name '*.tmp' | wc -l)
java -jar $J search --resume k > k.out 2> k.err; rc=$?
tmpa=$(find k -name '*.tmp' | wc -l)
epochs=$(grep -c '"event":"epoch"' k/log.jsonl)
row "kill -9 loop" "search (12 epochs of 40 steps) killed after 4 s, then 10 x (search --resume, kill -9 after 2-5 s), then --resume to the end" "temp files before the last open: $tmpb, after: $tmpa; last resume exit $rc; epoch events in log.jsonl: $epochs (12 expected)"
# 4 overwrite
java -jar $J export --run tr --onnx m.onnx > /dev/null 2> e1.err; r1=$?
java -jar $J export --run tr --onnx m.onnx > /dev/null 2> e2.err; r2=$?
java -jar $J export --run tr --onnx m.onnx --force > /dev/null 2> e3.err; r3=$?
row "export overwrite" "export --onnx m.onnx (x2, then --force)" "exit $r1, $r2 ($(head -1 e2.err | cut -c1-90)), $r3"
java -jar $J eval --run tr > /dev/null 2>&1; r1=$?
java -jar $J eval --run tr > /dev/null 2> v2.err; r2=$?
java -jar $J eval --run tr --force > /dev/null 2>&1; r3=$?
row "eval overwrite" "eval --run tr (x2, then --force)" "exit $r1, $r2 ($(head -1 v2.err | cut -c1-90)), $r3"
# 5 moved run
mv tr moved-tr
java -jar $J eval --run moved-tr --force > mv.out 2> mv.err; rc=$?
row "run moved" "mv tr moved-tr; eval --run moved-tr" "exit $rc: $(grep -o 'accuracy[^,]*' mv.out | head -1)"
# 6 multitrial kill -9 + resume vs uninterrupted
M="--data $D --trials 14 --epochs 2 --train-subset 1000 --val-subset 256 --seed 5"
java -jar $J multitrial $M --out mtA > /dev/null 2>&1
java -jar $J multitrial $M --out mtB > /dev/null 2>&1 & P=$!
sleep 10; kill -9 $P 2>/dev/null || echo "multitrial ended before the kill" >&2; wait $P 2>/dev/null
nb=$(wc -l < mtB/trials.jsonl 2>/dev/null || echo 0)
java -jar $J multitrial --resume mtB > /dev/null 2>&1; rc=$?
python3 - <<'PY' > mt.cmp
import json
def t(p):
    out=[]
    for l in open(p):
        d=json.loads(l); out.append((d.get('id'), json.dumps(d.get('arch', d.get('decisions'))), d.get('val_accuracy', d.get('accuracy')), d.get('status')))
    return out
a=t('mtA/trials.jsonl'); b=t('mtB/trials.jsonl')
print('equal' if a==b else 'DIFFER', len(a), len(b))
PY
row "multitrial kill -9 + resume" "multitrial --trials 14 (A uninterrupted; B kill -9 after 10 s with $nb trials done, then --resume)" "resume exit $rc; trials A vs B: $(cat mt.cmp)"
