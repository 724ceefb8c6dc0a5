#!/usr/bin/env bash
# A study's points spread over a Slurm job array: task i runs
# `pfnlab study --shard auto/N`, which reads i from SLURM_ARRAY_TASK_ID and
# runs the points whose number is i modulo N; a dependent job merges the
# shards (see README "Studies across a cluster"). The array must be 0..N-1.
#
#   sbatch deploy/study-slurm-array.sh studies/movable-share.yaml
#
#SBATCH --job-name=pfnlab-study
#SBATCH --array=0-99
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=04:00:00
#SBATCH --output=pfnlab-study-%A_%a.log
set -euo pipefail

study="${1:?usage: sbatch deploy/study-slurm-array.sh STUDY.yaml [OUT_DIR]}"
out="${2:-pfnlab-study/$(basename "$study" .yaml)}"
shards=$((SLURM_ARRAY_TASK_MAX + 1))

node bin/pfnlab.mjs study "$study" --shard "auto/$shards" --jobs "$SLURM_CPUS_PER_TASK" \
  --out "$out/shard-$SLURM_ARRAY_TASK_ID"

# The last task to finish could merge, but a dependent job is simpler and sure:
#   sbatch --dependency=afterok:$SLURM_ARRAY_JOB_ID --wrap \
#     "node bin/pfnlab.mjs merge --out $out/merged $out/shard-*"
