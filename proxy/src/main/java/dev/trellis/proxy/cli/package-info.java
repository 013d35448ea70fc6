/** The {@code trellis proxy} command. */
package dev.trellis.proxy.cli;
