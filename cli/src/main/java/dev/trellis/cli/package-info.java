/** The {@code trellis} command: one picocli subcommand per capability, each living beside the code it drives. */
package dev.trellis.cli;
