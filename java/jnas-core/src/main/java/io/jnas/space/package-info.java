/** Search spaces and their decision-vector encoding ({@link io.jnas.space.SearchSpace}). */
package io.jnas.space;
