// The server JVM's heap: maximum and currently used bytes (what a GDS projection and
// algorithm must fit in).
// Parameters: none.
CALL dbms.queryJmx('java.lang:type=Memory') YIELD attributes
RETURN attributes.HeapMemoryUsage.value.properties.max AS max,
       attributes.HeapMemoryUsage.value.properties.used AS used
