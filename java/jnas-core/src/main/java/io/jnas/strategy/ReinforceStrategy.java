package io.jnas.strategy;

import io.jnas.controller.ControllerConfig;
import io.jnas.controller.ControllerSpec;
import io.jnas.controller.LstmController;
import io.jnas.controller.Reinforce;
import io.jnas.controller.ReinforceConfig;
import io.jnas.controller.SplitMix64;
import io.jnas.enas.EnasMacroSpace;
import io.jnas.enas.EnasMicroSpace;
import io.jnas.enas.EnasOp;
import io.jnas.enas.MacroArch;
import io.jnas.space.CellSpace;
import io.jnas.space.SearchSpace;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * REINFORCE with an LSTM controller (Zoph and Le's NAS, NASNet; ENAS's controller rule) as a
 * multi-trial ask/tell strategy over any {@link SearchSpace}. {@link #ask()} samples a decision
 * vector from the controller (resampling until {@link SearchSpace#isValid}); {@link #tell}
 * reports its reward to {@link Reinforce}, which takes a policy-gradient step every
 * {@code reinforce.aggregate()} tells with a moving-average baseline.
 *
 * <p>The controller program: for an {@link EnasMicroSpace}, the ENAS micro controller
 * (attention over earlier nodes for inputs); for the other cell spaces (NASNet, AmoebaNet) the
 * same program without ENAS's op biases; for {@link EnasMacroSpace} the ENAS macro controller
 * (an op per layer, skip connections by attention); for any other space, one categorical
 * decision per entry, each with its own softmax ({@link ControllerSpec#categoricalPerDecision(int[])}).
 *
 * <p>Seeded: the same seed and the same rewards give the same asks. Asks may run ahead of
 * tells (parallel trials); each tell re-scores its vector under the current weights.
 */
public final class ReinforceStrategy implements Strategy {
  /**
   * Settings.
   *
   * @param controller the controller's shape and logit shaping
   * @param reinforce the trainer's settings ({@code aggregate} = tells per step)
   * @param maxResample draws allowed per ask before giving up on finding a valid vector
   */
  public record Config(ControllerConfig controller, ReinforceConfig reinforce, int maxResample) {
    /** Checks the fields. */
    public Config {
      Objects.requireNonNull(controller, "controller");
      Objects.requireNonNull(reinforce, "reinforce");
      if (maxResample < 1) throw new IllegalArgumentException("maxResample must be >= 1, got " + maxResample);
    }

    /**
     * Defaults for a space: ENAS's controller and trainer settings, except a step every 5 tells
     * (multi-trial budgets are small) and the baseline started at the first reward. For spaces
     * other than ENAS micro the op logits use tanh constant 2.5 without the 2.5 reduction, so a
     * decision can become confident (ENAS's 1.1 / 2.5 caps one of 5 ops at probability 0.37).
     */
    public static Config defaults(SearchSpace<?> space) {
      ControllerConfig c = ControllerConfig.enas();
      if (!(space instanceof EnasMicroSpace)) c = c.withTanh(2.5, 1.0);
      ReinforceConfig r = ReinforceConfig.enas().withAggregate(5).withBaselineFromFirstReward(true);
      if (space instanceof EnasMacroSpace) r = r.withSkipWeight(ReinforceConfig.enasMacro().skipWeight());  // ENAS's skip penalty
      return new Config(c, r, 10_000);
    }
  }

  private final SearchSpace<?> space;
  private final Reinforce reinforce;
  private final SplitMix64 rng;

  /** A strategy with {@link Config#defaults(SearchSpace)}. */
  public ReinforceStrategy(SearchSpace<?> space, long seed) {
    this(space, seed, Config.defaults(space));
  }

  /** A strategy over {@code space}, seeded, with {@code config}. */
  public ReinforceStrategy(SearchSpace<?> space, long seed, Config config) {
    this.space = Objects.requireNonNull(space, "space");
    SplitMix64 seeds = new SplitMix64(seed);
    LstmController controller = new LstmController(specFor(space), config.controller(),
        new SplitMix64(seeds.nextLong()));
    this.reinforce = new Reinforce(controller, config.reinforce());
    this.rng = new SplitMix64(seeds.nextLong());
    this.maxResample = config.maxResample();
  }

  private final int maxResample;

  /** The controller program used for {@code space}. */
  public static ControllerSpec specFor(SearchSpace<?> space) {
    if (space instanceof EnasMicroSpace e) return ControllerSpec.enasMicro(e.numNodes(), EnasOp.count(), true);
    // NASNet / AmoebaNet cells: the same program (inputs by attention, ops by softmax), no ENAS biases
    if (space instanceof io.jnas.space.NasNetSpace n) return ControllerSpec.enasMicro(n.numNodes(), n.numOps(), false, n.hasCombiner());
    if (space instanceof CellSpace<?> c) return ControllerSpec.enasMicro(c.numNodes(), c.numOps(), false);
    if (space instanceof EnasMacroSpace m) return ControllerSpec.enasMacro(m.layers(), MacroArch.OPS.size(), 0.4);
    int[] choices = new int[space.numDecisions()];
    for (int i = 0; i < choices.length; i++) choices[i] = space.numChoices(i);
    return ControllerSpec.categoricalPerDecision(choices);
  }

  @Override
  public String name() {
    return "reinforce";
  }

  @Override
  public int[] ask() {
    LstmController c = reinforce.controller();
    for (int t = 0; t < maxResample; t++) {
      int[] a = c.sample(rng).actions();
      if (space.isValid(a)) return a;
    }
    throw new IllegalStateException(space.name() + ": the controller proposed no valid architecture in "
        + maxResample + " draws");
  }

  @Override
  public void tell(int[] architecture, double reward) {
    if (architecture == null || architecture.length != space.numDecisions()) {
      throw new IllegalArgumentException("expected a vector of " + space.numDecisions() + " decisions, got "
          + (architecture == null ? "null" : Arrays.toString(architecture)));
    }
    reinforce.observe(architecture, reward);
  }

  /** The trainer (and through it the controller), for logging: baseline, steps. */
  public Reinforce reinforce() {
    return reinforce;
  }

  /** The strategy's whole state: the sampling generator's state, then {@link Reinforce#saveState()}. */
  public byte[] saveState() {
    byte[] r = reinforce.saveState();
    return ByteBuffer.allocate(8 + r.length).putLong(rng.state()).put(r).array();
  }

  /** Restores {@link #saveState()}; the strategy then asks what the saved one would have. */
  public void restoreState(byte[] state) {
    if (state.length < 8) throw new IllegalArgumentException("REINFORCE strategy state too short");
    ByteBuffer b = ByteBuffer.wrap(state);
    long s = b.getLong();
    byte[] r = new byte[state.length - 8];
    b.get(r);
    reinforce.restoreState(r);
    rng.setState(s);
  }
}
