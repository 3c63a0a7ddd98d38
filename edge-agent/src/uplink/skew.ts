// Clock skew (device clock minus gateway clock) from ack timestamps, NTP style: the gateway
// stamped the ack somewhere between our send and our receipt, so we compare its clock with the
// midpoint. Smoothed, because one slow round trip should not swing the estimate.
const WEIGHT_OF_NEW_SAMPLE = 0.25;

export class ClockSkew {
  private estimate: number | undefined;

  /** sentAt and receivedAt on the device clock, gatewayTime on the gateway's, all Unix ms. */
  sample(sentAt: number, receivedAt: number, gatewayTime: number): void {
    if (!Number.isFinite(gatewayTime) || gatewayTime <= 0 || receivedAt < sentAt) return;
    const skew = (sentAt + receivedAt) / 2 - gatewayTime;
    this.estimate =
      this.estimate === undefined ? skew : this.estimate + WEIGHT_OF_NEW_SAMPLE * (skew - this.estimate);
  }

  /** Device minus gateway, ms, rounded; 0 until the first ack. */
  get ms(): number {
    return Math.round(this.estimate ?? 0);
  }
}
