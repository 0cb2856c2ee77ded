package io.jnas.nasbench;

import io.jnas.controller.ControllerConfig;
import io.jnas.controller.ControllerSpec;
import io.jnas.controller.LstmController;
import io.jnas.controller.Reinforce;
import io.jnas.controller.ReinforceConfig;
import io.jnas.data.Augmentation;
import io.jnas.data.BatchLoader;
import io.jnas.data.Dataset;
import io.jnas.darts.Relaxation;
import io.jnas.space.NasBench201Space;
import io.jnas.space.Nb201Cell;
import io.jnas.space.Nb201Op;
import io.jnas.tensor.IntTensor;
import io.jnas.tensor.Tensor;
import io.jnas.train.CosineSchedule;
import io.jnas.util.Ranks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * One-shot (weight-sharing) searches on the NAS-Bench-201 space, on one {@link Nb201Network}
 * search network, each checked against the table: the derived cell's accuracy in the table,
 * and the Kendall tau between the shared weights' accuracy of a fixed sample of cells and the
 * table's. The methods, as NAS-Bench-201's own search code runs them (D-X-Y/AutoDL-Projects
 * exps/NAS-Bench-201-algos):
 *
 * <ul>
 *   <li>{@code rsps} (Li &amp; Talwalkar 2019, random search with parameter sharing): each step
 *       trains a uniformly random cell; derived: the best of {@code candidates} random cells by
 *       shared-weight accuracy on a validation batch.
 *   <li>{@code enas} (Pham et al. 2018): an LSTM controller samples the trained cells and, after
 *       each epoch, learns by REINFORCE from the shared weights' validation accuracy; derived:
 *       the best of {@code candidates} controller samples, as above.
 *   <li>{@code darts-v1} (Liu et al. 2019, first order): each edge the softmax-weighted sum of
 *       its ops; architecture parameters alpha (6 x 5) step by Adam on the validation batch's
 *       gradient, then the weights by SGD on a training batch. {@code darts-v2}: the
 *       architecture gradient of the unrolled validation loss L_val(w - xi grad_w L_train, alpha),
 *       its second-order term by the finite-difference Hessian-vector product
 *       (grad_alpha L_train(w+) - grad_alpha L_train(w-)) / 2 eps, w+- = w +- eps grad_w' L_val,
 *       eps = 0.01 / |grad_w' L_val| (DARTS's {@code _hessian_vector_product}; the virtual step
 *       is plain SGD: DARTS also adds the momentum buffer). Derived: per edge the op of the
 *       largest alpha, none included (as NAS-Bench-201 derives DARTS; this is why DARTS collapses
 *       there to all skip-connections).
 *   <li>{@code gdas} (Dong &amp; Yang 2019): per step and edge one op, sampled by Gumbel-max
 *       from alpha at temperature tau (10 down to 0.1 over the search); only it is computed,
 *       with weight 1, and the straight-through gradient reaches every alpha through the soft
 *       Gumbel-softmax; derived as DARTS.
 * </ul>
 *
 * Batch norm uses batch statistics throughout (the search network keeps none). Not
 * thread-safe.
 */
public final class OneShot201 {
  private OneShot201() {}

  /** The methods. */
  public enum Method {
    /** Random search with parameter sharing. */
    RSPS("rsps"),
    /** ENAS's controller. */
    ENAS("enas"),
    /** First-order DARTS. */
    DARTS_V1("darts-v1"),
    /** Second-order DARTS. */
    DARTS_V2("darts-v2"),
    /** Gumbel-softmax sampling of one op per edge. */
    GDAS("gdas");

    private final String token;

    Method(String token) {
      this.token = token;
    }

    /** The name on the command line, e.g. {@code darts-v1}. */
    public String token() {
      return token;
    }

    /** The method of a name; the message lists the valid ones. */
    public static Method of(String name) {
      for (Method m : values()) if (m.token.equals(name)) return m;
      StringBuilder sb = new StringBuilder();
      for (Method m : values()) sb.append(sb.length() > 0 ? ", " : "").append(m.token);
      throw new IllegalArgumentException("unknown method '" + name + "', expected one of " + sb);
    }

    /** Whether the method learns architecture parameters alpha (DARTS, GDAS). */
    public boolean relaxed() {
      return this == DARTS_V1 || this == DARTS_V2 || this == GDAS;
    }
  }

  /**
   * Settings. NAS-Bench-201's published search settings: 50 epochs (DARTS; GDAS 250, RSPS and
   * ENAS 250 with their own schedules), batch 64, SGD lr 0.025 cosine to 0.001, momentum 0.9,
   * weight decay 5e-4, gradient clip 5; Adam 3e-4 (betas 0.5, 0.999), weight decay 1e-3 for
   * alpha; C = 16, N = 5. Reduced budgets change epochs, channels and cells; the record says so.
   *
   * @param method the method
   * @param epochs passes over the training half
   * @param batch images per step
   * @param lr the weights' initial learning rate (cosine to lrMin)
   * @param lrMin the final learning rate
   * @param weightDecay the weights' L2 weight decay
   * @param archLr Adam's step for alpha
   * @param archWeightDecay L2 weight decay on alpha
   * @param candidates rsps, enas: cells scored to derive
   * @param controllerSteps enas: controller updates after each epoch
   * @param rankSample cells of the fixed sample the ranking quality is measured on
   * @param rankBatches validation batches each sampled cell is scored on
   * @param seed everything random: data order, weights, samples
   * @param network the network's size (its cell ignored)
   */
  public record Config(Method method, int epochs, int batch, double lr, double lrMin, double weightDecay, double archLr,
      double archWeightDecay, int candidates, int controllerSteps, int rankSample, int rankBatches, long seed,
      Nb201Network.Config network) {
    /** Checks every field. */
    public Config {
      Objects.requireNonNull(method, "method");
      if (epochs < 1) throw new IllegalArgumentException("one-shot search: epochs is " + epochs + ", expected at least 1");
      if (batch < 2) throw new IllegalArgumentException("one-shot search: batch is " + batch + ", expected at least 2");
      if (!(lr > 0 && lrMin >= 0 && lrMin <= lr)) throw new IllegalArgumentException("one-shot search: lr " + lr + " / lrMin " + lrMin);
      if (!(weightDecay >= 0 && archLr > 0 && archWeightDecay >= 0)) throw new IllegalArgumentException("one-shot search: bad weight decay or archLr");
      if (candidates < 1) throw new IllegalArgumentException("one-shot search: candidates is " + candidates + ", expected at least 1");
      if (controllerSteps < 0) throw new IllegalArgumentException("one-shot search: controllerSteps is " + controllerSteps);
      if (rankSample < 2 || rankSample > NasBench201Table.SIZE) {
        throw new IllegalArgumentException("one-shot search: rankSample is " + rankSample + ", expected 2.." + NasBench201Table.SIZE);
      }
      if (rankBatches < 1) throw new IllegalArgumentException("one-shot search: rankBatches is " + rankBatches + ", expected at least 1");
      Objects.requireNonNull(network, "network");
    }

    /** NAS-Bench-201's settings for a method at a reduced budget (epochs, C, N given). */
    public static Config of(Method m, int epochs, int channels, int cellsPerStage, long seed) {
      return new Config(m, epochs, 64, 0.025, 0.001, 5e-4, 3e-4, 1e-3, 100, 50, 200, 2, seed,
          new Nb201Network.Config(null, channels, cellsPerStage, 10, 3, 32, 32, true, seed));
    }
  }

  /**
   * One epoch's record.
   *
   * @param epoch 1-based
   * @param trainLoss mean training loss
   * @param trainAccuracy mean training accuracy (of the sampled or relaxed cells)
   * @param derived the cell derived now (relaxed methods: argmax alpha; others: the controller's or a random cell's mode)
   * @param derivedTest its test accuracy in the table (percent)
   * @param seconds wall time since the start
   */
  public record Epoch(int epoch, double trainLoss, double trainAccuracy, Nb201Cell derived, double derivedTest, double seconds) {}

  /**
   * The record.
   *
   * @param method the method
   * @param derived the derived cell
   * @param derivedTest its test accuracy in the table (percent)
   * @param derivedValidation its validation accuracy in the table (percent)
   * @param kendallTau tau-b between the shared weights' accuracy and the table's test accuracy over the sample
   * @param spearman Spearman's rho, likewise
   * @param policyTau tau-b between the method's own log-probability of each of the table's cells (alpha's
   *     softmax, or the controller) and their test accuracy; NaN for rsps
   * @param alpha relaxed methods: the final alpha (6 x 5), else null
   * @param epochs per-epoch records
   * @param seconds wall time
   * @param randomMean the mean test accuracy of the rank sample (a random cell)
   */
  public record Result(Method method, Nb201Cell derived, double derivedTest, double derivedValidation, double kendallTau,
      double spearman, double policyTau, double[] alpha, List<Epoch> epochs, double seconds, double randomMean) {}

  /**
   * Runs a search.
   *
   * @param train the search's training half (NB201 splits CIFAR-10's training set in two)
   * @param valid the search's validation half (alpha and the controller learn on it; derivation scores on it)
   * @param augmentation the training transform (crop, flip, normalization), applied to both halves
   * @param evalAugmentation normalization only: for derivation and ranking
   * @param log told one line per epoch
   */
  public static Result run(Config c, Dataset train, Dataset valid, Augmentation augmentation, Augmentation evalAugmentation,
      NasBench201Table table, Nb201Dataset dataset, Consumer<String> log) {
    Objects.requireNonNull(table, "table");
    long t0 = System.nanoTime();
    SplittableRandom rng = new SplittableRandom(c.seed());
    NasBench201Space space = new NasBench201Space();
    Nb201Network.Config nc = c.network().withCell(null).withSeed(rng.nextLong());
    int B = c.batch();
    final int K = Nb201Op.values().length;
    List<Epoch> epochs = new ArrayList<>();
    double[] alpha = new double[Nb201Network.ARCH_WEIGHTS];
    for (int i = 0; i < alpha.length; i++) alpha[i] = 1e-3 * rng.nextGaussian();  // NB201: 1e-3 * randn
    Relaxation.Adam adam = new Relaxation.Adam(alpha.length, c.archLr(), 0.5, 0.999, 1e-8, c.archWeightDecay());
    LstmController controller = null;
    Reinforce reinforce = null;
    if (c.method() == Method.ENAS) {
      int[] choices = new int[Nb201Cell.EDGES];
      Arrays.fill(choices, Nb201Op.values().length);
      controller = new LstmController(ControllerSpec.categoricalPerDecision(choices), ControllerConfig.enas(), rng.split());
      reinforce = new Reinforce(controller, ReinforceConfig.enas());
    }
    SplittableRandom sampler = rng.split();
    try (Nb201Network net = new Nb201Network(nc);
        BatchLoader trainLoader = BatchLoader.builder(train).batchSize(B).seed(rng.nextLong()).augmentation(augmentation)
            .dropLast(true).workers(1).build();
        BatchLoader validLoader = BatchLoader.builder(valid).batchSize(B).seed(rng.nextLong()).augmentation(augmentation)
            .dropLast(true).workers(1).build();
        Tensor x = Tensor.zeros(B, train.channels(), train.height(), train.width());
        IntTensor y = IntTensor.zeros(B);
        Tensor vx = Tensor.zeros(B, train.channels(), train.height(), train.width());
        IntTensor vy = IntTensor.zeros(B);
        BatchLoader.Cycle validCycle = validLoader.cycle()) {
      int steps = trainLoader.batchesPerEpoch();
      long total = (long) steps * c.epochs();
      for (int e = 0; e < c.epochs(); e++) {
        double lossSum = 0, accSum = 0;
        double tau = 10 - (10 - 0.1) * e / Math.max(1, c.epochs() - 1);  // GDAS: 10 -> 0.1
        try (BatchLoader.Epoch it = trainLoader.epoch(e)) {
          for (int k = 0; k < steps; k++) {
            it.next(x, y);
            long step = (long) e * steps + k;
            double lr = CosineSchedule.annealed(c.lr(), c.lrMin(), step, total);
            Nb201Network.Hyper h = new Nb201Network.Hyper((float) lr, 0.9f, (float) c.weightDecay(), 5f);
            Nb201Network.Result r;
            switch (c.method()) {
              case RSPS -> r = net.trainStep(space.decode(space.sample(sampler)), x, y, h, step);
              case ENAS -> r = net.trainStep(space.decode(controller.sample(sampler).actions()), x, y, h, step);
              case DARTS_V1, DARTS_V2 -> {
                validCycle.next(vx, vy);
                double[] g = c.method() == Method.DARTS_V1 ? Relaxation.firstOrder(net, alpha, vx, vy)
                    : Relaxation.secondOrder(net, alpha, x, y, vx, vy, lr, c.weightDecay());
                adam.step(alpha, g);
                net.setArchWeights(Relaxation.softmax(alpha, 1, K));
                r = net.trainStep(null, x, y, h, step);
              }
              case GDAS -> {
                validCycle.next(vx, vy);
                adam.step(alpha, Relaxation.gdas(net, alpha, tau, vx, vy, sampler));
                Relaxation.Gumbel gs = Relaxation.Gumbel.sample(alpha, tau, K, sampler);
                net.setArchWeights(gs.hard());
                r = net.trainStep(null, x, y, h, step);
              }
              default -> throw new AssertionError();
            }
            if (!Float.isFinite(r.loss())) {
              throw new IllegalStateException(c.method().token() + ": epoch " + (e + 1) + " step " + (k + 1) + ": loss is " + r.loss()
                  + " (diverged)");
            }
            lossSum += r.loss();
            accSum += r.accuracy();
          }
        }
        if (c.method() == Method.ENAS) {
          for (int s = 0; s < c.controllerSteps() * reinforce.config().aggregate(); s++) {
            validCycle.next(vx, vy);
            int[] a = controller.sample(sampler).actions();
            reinforce.observe(a, net.evaluate(space.decode(a), vx, vy).accuracy());
          }
        }
        Nb201Cell now = current(c.method(), alpha, controller, space);
        double nowTest = now == null ? Double.NaN : table.test(dataset, space.encode(now));
        Epoch ep = new Epoch(e + 1, lossSum / steps, accSum / steps, now, nowTest, (System.nanoTime() - t0) / 1e9);
        epochs.add(ep);
        if (log != null) {
          log.accept(String.format(Locale.ROOT, "%s epoch %d/%d: train loss %.3f acc %.3f%s (%.0f s)", c.method().token(), e + 1,
              c.epochs(), ep.trainLoss(), ep.trainAccuracy(), now == null ? "" : String.format(Locale.ROOT, "; now %s: %.2f%%", now, nowTest),
              ep.seconds()));
        }
      }
      // derivation
      Nb201Cell derived;
      try (Tensor ex = Tensor.zeros(B, train.channels(), train.height(), train.width()); IntTensor ey = IntTensor.zeros(B);
          BatchLoader evalLoader = BatchLoader.builder(valid).batchSize(B).seed(c.seed() ^ 0xE7A1L).augmentation(evalAugmentation)
              .dropLast(true).workers(1).build()) {
        List<Tensor> bx = new ArrayList<>();
        List<IntTensor> by = new ArrayList<>();
        try (BatchLoader.Epoch it = evalLoader.epoch(0)) {
          for (int b = 0; b < c.rankBatches() + 1 && it.hasNext(); b++) {
            Tensor tx = Tensor.zeros(B, train.channels(), train.height(), train.width());
            IntTensor ty = IntTensor.zeros(B);
            it.next(tx, ty);
            bx.add(tx);
            by.add(ty);
          }
        }
        try {
          if (c.method().relaxed()) {
            derived = argmax(alpha, space);
          } else {
            derived = null;
            double best = -1;
            for (int i = 0; i < c.candidates(); i++) {
              int[] a = c.method() == Method.ENAS ? controller.sample(sampler).actions() : space.sample(sampler);
              double acc = net.evaluate(space.decode(a), bx.get(0), by.get(0)).accuracy();
              if (acc > best) {
                best = acc;
                derived = space.decode(a);
              }
            }
          }
          // ranking: shared-weight accuracy of a fixed sample of cells on held-out batches (not the one derivation used)
          List<Nb201Cell> sample = ProxyBenchmark.sample(space, c.rankSample(), new SplittableRandom(c.seed() ^ 0x4A4BL));
          double[] shared = new double[sample.size()], test = new double[sample.size()];
          for (int i = 0; i < sample.size(); i++) {
            double acc = 0;
            for (int b = 1; b < bx.size(); b++) acc += net.evaluate(sample.get(i), bx.get(b), by.get(b)).accuracy();
            shared[i] = acc / Math.max(1, bx.size() - 1);
            test[i] = table.test(dataset, space.encode(sample.get(i)));
          }
          double tauK = Ranks.kendallTau(shared, test), rho = Ranks.spearman(shared, test);
          // the method's own preference over every cell of the table: log-probability under alpha or the controller
          double policyTau = c.method() == Method.RSPS ? Double.NaN : policyTau(c.method(), alpha, controller, table, dataset);
          int[] d = space.encode(derived);
          return new Result(c.method(), derived, table.test(dataset, d), table.validation(dataset, d), tauK, rho, policyTau,
              c.method().relaxed() ? alpha.clone() : null, epochs, (System.nanoTime() - t0) / 1e9,
              Arrays.stream(test).average().orElse(Double.NaN));
        } finally {
          for (Tensor t : bx) t.close();
          for (IntTensor t : by) t.close();
        }
      }
    }
  }

  /**
   * Kendall tau-b between a method's log-probability of each of the 15,625 cells (alpha's
   * per-edge softmax, or the controller's) and the table's test accuracy.
   */
  static double policyTau(Method m, double[] alpha, LstmController controller, NasBench201Table table, Nb201Dataset dataset) {
    int K = Nb201Op.values().length;
    float[] pw = m.relaxed() ? Relaxation.softmax(alpha, 1, K) : null;
    double[] lp = new double[NasBench201Table.SIZE];
    for (int id = 0; id < lp.length; id++) {
      int[] a = NasBench201Space.decisions(id);
      if (pw != null) {
        for (int e = 0; e < a.length; e++) lp[id] += Math.log(Math.max(1e-30, pw[e * K + a[e]]));
      } else {
        lp[id] = controller.score(a).logProb();
      }
    }
    return Ranks.kendallTau(lp, table.testColumn(dataset));
  }

  /** The cell a method would derive now (rsps: none). */
  private static Nb201Cell current(Method m, double[] alpha, LstmController controller, NasBench201Space space) {
    if (m.relaxed()) return argmax(alpha, space);
    if (m == Method.ENAS) {  // the controller's most likely cell, greedily
      int[] a = new int[Nb201Cell.EDGES];
      for (int e = 0; e < a.length; e++) {
        double[][] p = controller.probabilities(a);
        int best = 0;
        for (int k = 1; k < p[e].length; k++) if (p[e][k] > p[e][best]) best = k;
        a[e] = best;
      }
      return space.decode(a);
    }
    return null;
  }

  /** Per edge the op of the largest alpha (none included). */
  public static Nb201Cell argmax(double[] alpha, NasBench201Space space) {
    return space.decode(Relaxation.argmax(alpha, Nb201Op.values().length, -1));
  }

  /** The record as JSON-ready maps. */
  public static Map<String, Object> toJson(Result r, Config c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("method", r.method().token());
    m.put("epochs", c.epochs());
    m.put("batch", c.batch());
    m.put("channels", c.network().channels());
    m.put("cells_per_stage", c.network().cellsPerStage());
    m.put("lr", c.lr());
    m.put("arch_lr", c.archLr());
    m.put("seed", c.seed());
    m.put("derived", r.derived().toString());
    m.put("derived_test", r.derivedTest());
    m.put("derived_validation", r.derivedValidation());
    m.put("kendall_tau", r.kendallTau());
    m.put("spearman", r.spearman());
    m.put("policy_kendall_tau", Double.isFinite(r.policyTau()) ? r.policyTau() : null);
    m.put("rank_sample", c.rankSample());
    m.put("rank_batches", c.rankBatches());
    m.put("random_mean_test", r.randomMean());
    m.put("seconds", r.seconds());
    if (r.alpha() != null) {
      List<Object> a = new ArrayList<>();
      for (double v : r.alpha()) a.add(v);
      m.put("alpha", a);
    }
    List<Object> es = new ArrayList<>();
    for (Epoch e : r.epochs()) {
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("epoch", e.epoch());
      q.put("train_loss", e.trainLoss());
      q.put("train_accuracy", e.trainAccuracy());
      q.put("derived", e.derived() == null ? null : e.derived().toString());
      q.put("derived_test", Double.isFinite(e.derivedTest()) ? e.derivedTest() : null);
      q.put("seconds", e.seconds());
      es.add(q);
    }
    m.put("history", es);
    return m;
  }
}
