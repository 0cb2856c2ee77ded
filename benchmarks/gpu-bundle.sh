#!/usr/bin/env bash
# gpu-bundle.sh: packs what a GPU host with no Java and no toolchain needs into
# .bundle/ (git-ignored), under 64 MiB, so a GPU session can carry it there:
#   .bundle/jre.tar.gz a jlink'd Java runtime (Temurin 25 when present: it needs
#                      glibc 2.17 only; Debian's JDK 17 runtime needs 2.34+),
#                      packed because unpacked (87 MiB) it would not fit; run.sh
#                      unpacks it on first use
#   .bundle/jnas.jar   the executable jar, native libraries inside
#   .bundle/test_ops   cuda/test_ops.cu built (every CUDA op vs its CPU twin)
#   .bundle/run.sh     the entry point (below)
# It runs nothing that needs a GPU. Note: the native code (the JNI library in
# the jar, test_ops) is built on this machine and needs the GPU host's glibc to
# be at least this machine's requirement (2.34 on Debian 12 builds).
#
# Usage: benchmarks/gpu-bundle.sh [--rebuild]
#   --rebuild   run the Maven build even if java/jnas-cli/target/jnas.jar exists
# Environment: JNAS_BUNDLE_JDK=/path/to/jdk picks the JDK whose jlink and
# modules make the runtime.
#
# On the GPU host (from the repository root, .bundle carried):
#   .bundle/run.sh test-ops [--no-timing] [--filter S]   CPU-vs-CUDA op table
#   .bundle/run.sh sanitize                              the same under compute-sanitizer memcheck
#   .bundle/run.sh info                                  java -jar jnas.jar info (any jnas command)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/.bundle
jar=$root/java/jnas-cli/target/jnas.jar
native=$root/java/jnas-core/target/native
limit_mib=64

rebuild=0
[[ "${1:-}" == "--rebuild" ]] && rebuild=1

if [[ $rebuild == 1 || ! -f $jar ]]; then
  echo "gpu-bundle: building (mvn -B -ntp -q package -DskipTests)"
  mvn -B -ntp -q package -DskipTests
fi
if command -v nvcc >/dev/null 2>&1 || [[ -x /usr/local/cuda/bin/nvcc ]]; then
  make -C cuda test >/dev/null
else
  echo "gpu-bundle: no nvcc here: cannot build test_ops (and the jar has only the CUDA stub)" >&2
  exit 1
fi

# The JDK: an explicit one, else Temurin 25 (old-glibc friendly), else the java on PATH.
jdk=${JNAS_BUNDLE_JDK:-}
if [[ -z $jdk ]]; then
  if [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/jlink ]]; then
    jdk=/usr/lib/jvm/temurin-25-jdk-amd64
  else
    jdk=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  fi
fi
[[ -x $jdk/bin/jlink ]] || { echo "gpu-bundle: no jlink in $jdk" >&2; exit 1; }
feature=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')

rm -rf "$out"
mkdir -p "$out"
# No --compress: gzip over the uncompressed module image packs better (30 vs 57 MiB).
"$jdk/bin/jlink" --add-modules java.base,java.desktop,java.logging,java.management,jdk.unsupported \
  --strip-debug --no-header-files --no-man-pages --output "$out/jre"
# libjvm.so carries symbols the runtime never needs (about a third of its size).
if command -v strip >/dev/null 2>&1; then
  strip --strip-unneeded "$out/jre/lib/server/libjvm.so" 2>/dev/null || true
fi
"$out/jre/bin/java" -version >/dev/null 2>&1 || { echo "gpu-bundle: the jlink'd runtime does not start" >&2; exit 1; }
jre_mib=$(( $(du -sk "$out/jre" | cut -f1) / 1024 ))
tar -C "$out" -czf "$out/jre.tar.gz" jre
rm -rf "$out/jre"
cp "$jar" "$out/jnas.jar"
cp "$native/test_ops" "$out/test_ops"
strip --strip-unneeded "$out/test_ops" 2>/dev/null || true

native_access=""
if [[ ${feature%%.*} -ge 22 ]]; then native_access="--enable-native-access=ALL-UNNAMED"; fi

cat > "$out/run.sh" <<EOF
#!/usr/bin/env bash
# run.sh: jnas on a GPU host from this bundle (made by benchmarks/gpu-bundle.sh
# with the runtime of Java ${feature}). The JavaCPP cache (40-100 MB of native
# libraries extracted on first use) goes to \$JNAS_CACHE, default <bundle>/cache;
# the runtime is unpacked from jre.tar.gz into \$JNAS_JRE, default <bundle>/jre.
#   run.sh test-ops [--no-timing] [--filter S]   every CUDA op against its CPU twin
#   run.sh sanitize [--filter S]                  the same under compute-sanitizer memcheck
#   run.sh <jnas command> ...                     java -jar jnas.jar <command> ...
set -euo pipefail
here=\$(cd "\$(dirname "\$0")" && pwd)
cache=\${JNAS_CACHE:-\$here/cache}
mkdir -p "\$cache"
jre=\${JNAS_JRE:-\$here/jre}
if [[ ! -x \$jre/bin/java ]]; then
  mkdir -p "\$jre"
  tar -C "\$jre" --strip-components=1 -xzf "\$here/jre.tar.gz"
fi
java_cmd=("\$jre/bin/java" $native_access "-Dorg.bytedeco.javacpp.cachedir=\$cache")

# test_ops links OpenBLAS (libopenblas.so.0, and its libgfortran) dynamically;
# the jar holds them and JavaCPP extracts them into the cache on first load
# (OpenBLAS under the name libopenblas_nolapack.so.0): load once, link the
# expected name into <cache>/test_ops_lib, and put every cache folder that
# holds a shared library on the loader's path.
native_path() {
  if [[ -z \$(find "\$cache" -name 'libopenblas*.so.0' -print -quit) ]]; then
    "\${java_cmd[@]}" -jar "\$here/jnas.jar" info >/dev/null 2>&1
  fi
  local lib=\$cache/test_ops_lib blas
  mkdir -p "\$lib"
  if [[ ! -e \$lib/libopenblas.so.0 ]]; then
    blas=\$(find "\$cache" -path "\$lib" -prune -o \( -name libopenblas.so.0 -o -name libopenblas_nolapack.so.0 \) -print -quit)
    [[ -n \$blas ]] || { echo "run.sh: no OpenBLAS found under \$cache" >&2; exit 1; }
    ln -sf "\$(readlink -f "\$blas")" "\$lib/libopenblas.so.0"
  fi
  echo "\$lib:\$(find "\$cache" -name '*.so*' -printf '%h\\n' | sort -u | paste -sd:)"
}

case "\${1:-}" in
  test-ops)
    shift
    LD_LIBRARY_PATH="\$(native_path)\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "\$here/test_ops" "\$@"
    ;;
  sanitize)
    shift
    san=\$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null || true)
    [[ -n \$san ]] || { echo "run.sh: compute-sanitizer not found" >&2; exit 1; }
    LD_LIBRARY_PATH="\$(native_path)\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" \\
      exec "\$san" --tool memcheck --error-exitcode 99 "\$here/test_ops" --no-timing "\$@"
    ;;
  *)
    exec "\${java_cmd[@]}" -jar "\$here/jnas.jar" "\$@"
    ;;
esac
EOF
chmod +x "$out/run.sh"

size_kib=$(du -sk "$out" | cut -f1)
echo "gpu-bundle: $out: $((size_kib / 1024)) MiB (jre.tar.gz $(du -sh "$out/jre.tar.gz" | cut -f1) packing ${jre_mib} MiB, jar $(du -sh "$out/jnas.jar" | cut -f1), test_ops $(du -sh "$out/test_ops" | cut -f1)); Java ${feature} from $jdk"
if (( size_kib > limit_mib * 1024 )); then
  echo "gpu-bundle: over the ${limit_mib} MiB a device run can carry" >&2
  exit 1
fi
