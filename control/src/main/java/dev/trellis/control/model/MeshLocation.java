package dev.trellis.control.model;

/** Whether a service's workloads run in the mesh (and so speak mTLS) or outside it. */
public enum MeshLocation {
    MESH_INTERNAL,
    MESH_EXTERNAL
}
