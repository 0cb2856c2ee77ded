package io.jnas.strategy;

import io.jnas.space.SearchSpace;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Regularized (aging) evolution (Real et al., 2019). The first {@code population} asks are
 * random; after that each ask draws {@code tournament} members uniformly (with replacement)
 * from the population and returns a one-decision mutation ({@link Mutations#mutate}) of the best
 * of them. Each tell adds the child to the population; once it holds more than
 * {@code population} members, the oldest is removed ({@code aging = true}) or the worst, the
 * oldest among equals ({@code aging = false}, the non-regularized variant).
 */
public final class RegularizedEvolution implements Strategy {
  /** A member of the population: an architecture and its reward. */
  public record Member(int[] decisions, double reward) {}

  private final SearchSpace<?> space;
  private final SplittableRandom rng;
  private final int population;
  private final int tournament;
  private final boolean aging;
  private final Deque<Member> members = new ArrayDeque<>();
  private int asked;
  private Member lastParent;

  /**
   * Evolution over {@code space}.
   *
   * @param population P, at least 1
   * @param tournament S, in [1, P]
   * @param aging whether the oldest dies (true) or the worst (false)
   */
  public RegularizedEvolution(SearchSpace<?> space, long seed, int population, int tournament, boolean aging) {
    if (population < 1) throw new IllegalArgumentException("evolution: population is " + population + ", expected at least 1");
    if (tournament < 1 || tournament > population) {
      throw new IllegalArgumentException("evolution: tournament is " + tournament + ", expected 1.." + population);
    }
    this.space = space;
    this.rng = new SplittableRandom(seed);
    this.population = population;
    this.tournament = tournament;
    this.aging = aging;
  }

  @Override
  public String name() {
    return aging ? "evolution" : "evolution-noaging";
  }

  @Override
  public int[] ask() {
    asked++;
    lastParent = null;
    if (asked <= population || members.isEmpty()) return space.sample(rng);
    List<Member> list = new ArrayList<>(members);
    Member best = null;
    for (int k = 0; k < tournament; k++) {
      Member m = list.get(rng.nextInt(list.size()));
      if (best == null || m.reward() > best.reward()) best = m;
    }
    lastParent = best;
    return Mutations.mutate(space, best.decisions(), rng);
  }

  /** The member the last {@link #ask()} mutated (the tournament's winner), or null where it was a random sample. */
  public Member lastParent() {
    return lastParent;
  }

  /** P, the population's size. */
  public int populationSize() {
    return population;
  }

  /** S, the tournament's size. */
  public int tournamentSize() {
    return tournament;
  }

  /** Whether the oldest member dies (true) or the worst (false). */
  public boolean aging() {
    return aging;
  }

  @Override
  public void tell(int[] architecture, double reward) {
    members.addLast(new Member(architecture.clone(), reward));
    if (members.size() <= population) return;
    if (aging) {
      members.removeFirst();
      return;
    }
    Member worst = null;
    for (Member m : members) if (worst == null || m.reward() < worst.reward()) worst = m;
    for (Iterator<Member> it = members.iterator(); it.hasNext();) {
      if (it.next() == worst) {
        it.remove();
        break;
      }
    }
  }

  /** The current population, oldest first. */
  public List<Member> population() {
    return List.copyOf(members);
  }
}
