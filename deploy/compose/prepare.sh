#!/usr/bin/env bash
# Fills the compose build context: ND4J and its native libraries for /opt/flink/lib, the thin job
# jar for /opt/flink/usrlib and the bundled model. Run from anywhere, then `docker compose build`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rm -rf "$here/lib" "$here/usrlib" "$here/model"
mkdir -p "$here/lib" "$here/usrlib" "$here/model"
(cd "$root" && mvn -B -q -DskipTests install)
(cd "$root" && mvn -B -q -f deploy/local/pom.xml dependency:copy-dependencies \
    -DincludeGroupIds=org.nd4j,org.bytedeco,com.fasterxml.jackson.core -DoutputDirectory="$here/lib")
cp "$root/pipeline/target/spikestream-job.jar" "$here/usrlib/"
cp "$root"/pipeline/src/main/resources/io/spikestream/bundled/*.safetensors "$here/model/"
echo "build context ready in $here"
