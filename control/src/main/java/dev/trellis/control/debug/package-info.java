/**
 * Monitoring and debug HTTP endpoints on 15014 (loopback by default): {@code /metrics} in Prometheus text format,
 * {@code /debug/syncz}, {@code /debug/config_dump?proxyID=}, {@code /debug/registryz}, {@code /debug/configz}. They read
 * the control plane's state and never change it. JSON is written by hand ({@link dev.trellis.control.debug.Json}) and,
 * for Envoy protos, by protobuf's JsonFormat ({@link dev.trellis.control.debug.ProtoJson}).
 */
package dev.trellis.control.debug;
