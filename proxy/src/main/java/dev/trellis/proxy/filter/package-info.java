/** HTTP filters, one package each (config, factory, per-stream filter). */
package dev.trellis.proxy.filter;
