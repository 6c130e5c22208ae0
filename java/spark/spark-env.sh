# Sourced by the bigarrays launcher's spark path and java/spark's benchmark scripts (bash).
# BA_SPARK_JVM_OPTIONS: what Spark's own launcher adds on JDK 17+ (the same list as java/spark/pom.xml's
# spark.jvm.options), plus native access for the C kernels.
BA_SPARK_JVM_OPTIONS="--enable-native-access=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true"
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.util.calendar; do
  BA_SPARK_JVM_OPTIONS="$BA_SPARK_JVM_OPTIONS --add-opens=java.base/$p=ALL-UNNAMED"
done
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"

# ba_spark_jar_classpath TARGET: the module's class path (TARGET/classpath.txt) made of jars only, the
# module's own jar first and every sibling module's target/classes replaced by its packaged jar: the
# JDK's AOT cache refuses directories on the class path. Needs 'mvn package -pl java/spark -am'.
# No subprocesses (the launcher's start-up counts).
ba_spark_jar_classpath() {
  local t=$1 own= f e m cp entries
  for f in "$t"/bigarrays-spark-*.jar; do
    case $f in *-sources.jar|*-javadoc.jar|*-tests.jar) ;; *) own=$f ;; esac
  done
  [ -n "$own" ] || return 1
  local ver=${own##*/bigarrays-spark-}
  ver=${ver%.jar}
  cp=$own
  IFS=: read -r -a entries < "$t/classpath.txt"
  for e in "${entries[@]}"; do
    case $e in */target/classes) m=${e%/target/classes}; e=$m/target/bigarrays-${m##*/}-$ver.jar ;; esac
    [ -f "$e" ] || return 1
    cp=$cp:$e
  done
  printf '%s\n' "$cp"
}
