/** Backend discovery: which engine runs the kernels, chosen at run time and overridable. */
package io.jnas.backend;
