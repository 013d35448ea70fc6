/** What both sides of xDS share: type URLs, Istio-style resource names, and the ADS client the proxy uses. */
package dev.trellis.xds;
