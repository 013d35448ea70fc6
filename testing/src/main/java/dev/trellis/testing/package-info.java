/** Test fixtures every module shares (test scope only): one leak check, so every Netty test fails on a leak alike. */
package dev.trellis.testing;
