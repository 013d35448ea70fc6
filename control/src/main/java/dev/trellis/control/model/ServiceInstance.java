package dev.trellis.control.model;

import java.util.Objects;

/**
 * A workload serving one port of one service: one EDS endpoint.
 *
 * @param service the service
 * @param servicePort the service port it serves
 * @param workload the workload
 * @param endpointPort the port on the workload: the workload's own mapping for the port name, else the service's
 *     target port, else the service port
 */
public record ServiceInstance(Service service, ServicePort servicePort, Workload workload, int endpointPort) {

    public ServiceInstance {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(servicePort, "servicePort");
        Objects.requireNonNull(workload, "workload");
    }

    public static ServiceInstance of(Service service, ServicePort port, Workload workload) {
        Integer mapped = workload.ports().get(port.name());
        int endpointPort = mapped != null ? mapped : port.targetPort() > 0 ? port.targetPort() : port.port();
        return new ServiceInstance(service, port, workload, endpointPort);
    }
}
