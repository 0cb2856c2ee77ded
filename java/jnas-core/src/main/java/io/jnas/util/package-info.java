/** Small utilities shared by the library: JSON, atomic file writes. */
package io.jnas.util;
