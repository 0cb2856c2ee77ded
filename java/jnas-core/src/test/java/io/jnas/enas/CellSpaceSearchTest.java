package io.jnas.enas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jnas.data.Dataset;
import io.jnas.data.SyntheticDataset;
import io.jnas.space.NasNetSpace;
import org.junit.jupiter.api.Test;

/**
 * The search's network and controller per cell space: ENAS's op biases (which favour its ids 0
 * and 1, the separable convs) only in ENAS's space, where ids 0 and 1 are not skip_connect and
 * conv_3x1_1x3 as in NASNet's; the supernet over the space's ops; the space the proxy trains.
 */
class CellSpaceSearchTest {
  private static SharedNet net(String space) {
    SearchSettings q = SearchSettings.quick();
    SearchSettings s = q.withNet(new SearchSettings.Net(space, 0, 4, 2));
    Dataset d = SyntheticDataset.generate("t", 8, 1, SyntheticDataset.TRAIN_STREAM);
    return SharedNet.create(s, d, 1);
  }

  @Test
  void enasBiasesOnlyInEnasSpace() {
    try (SharedNet enas = net(SearchSettings.MICRO); SharedNet nasnet = net(SearchSettings.NASNET);
        SharedNet amoeba = net(SearchSettings.AMOEBANET)) {
      assertTrue(enas.controllerSpec(true).name().contains("ops=5,enasBiases=true"), enas.controllerSpec(true).name());
      assertTrue(nasnet.controllerSpec(true).name().contains("ops=13,enasBiases=false"), nasnet.controllerSpec(true).name());
      assertTrue(amoeba.controllerSpec(true).name().contains("ops=8,enasBiases=false"), amoeba.controllerSpec(true).name());
      try (SharedNet combine = net(SearchSettings.NASNET_COMBINE)) {
        assertTrue(combine.controllerSpec(true).name().contains("ops=13,enasBiases=false,combiner"), combine.controllerSpec(true).name());
        assertEquals(2 * 5 * 2, combine.controllerSpec(true).numDecisions());
      }
      assertEquals(NasNetSpace.nasnet(2).name(), nasnet.space().name());
      assertEquals(13, ((SharedNet.Micro) nasnet).supernet().numOps());
      assertEquals(NasNetSpace.amoebanet(2).ops(), ((SharedNet.Micro) amoeba).supernet().config().candidates().ops());
    }
  }
}
