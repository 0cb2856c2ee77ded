/**
 * The ENAS / NASNet LSTM controller in plain Java ({@link io.jnas.controller.LstmController}),
 * the programs it samples ({@link io.jnas.controller.ControllerSpec}: ENAS micro with attention,
 * or a plain categorical sequence), and its REINFORCE trainer
 * ({@link io.jnas.controller.Reinforce}) with a moving-average baseline and Adam. Gradients are
 * hand-written backpropagation through time, checked against finite differences.
 */
package io.jnas.controller;
