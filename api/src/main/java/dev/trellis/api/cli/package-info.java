/** The {@code trellis} subcommands the api module provides ({@code validate}). */
package dev.trellis.api.cli;
