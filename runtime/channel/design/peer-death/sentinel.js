// Nested "sentinel" worker: requests the peer's lock and, on grant, flags the SAB and wakes the blocked parent.
onmessage = ({ data: { name, sab } }) => {
  const i32 = new Int32Array(sab);
  navigator.locks.request(name, () => { Atomics.store(i32, 0, 1); Atomics.notify(i32, 0); });
  postMessage('watching');
};
