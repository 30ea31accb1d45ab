import { randomUUID } from "node:crypto";
import { openLocalChangeBus } from "./change-bus.js";
import { changeBusConformance } from "./change-bus-conformance.js";

changeBusConformance({
  name: "local (in-process)",
  newLocation: () => randomUUID(),
  open: async (scope) => openLocalChangeBus(scope),
});
