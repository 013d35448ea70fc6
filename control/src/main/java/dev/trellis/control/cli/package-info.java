/** The {@code trellis control-plane} command: flags in, a running control plane out. */
package dev.trellis.control.cli;
