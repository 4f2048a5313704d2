import { BaseEdge, type EdgeProps, getBezierPath } from "@xyflow/react";
import { memo } from "react";

/** How far below its ends an edge back to an earlier node runs, clear of the nodes' boxes. */
const BELOW = 64;
const OUT = 24;

/**
 * An edge that closes a cycle. Forward it is the usual curve; back to a node on its left it runs
 * out of the source, under both nodes and into the target, where a curve would run behind them
 * and out of sight.
 */
function CycleEdgeView({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, markerEnd, style, interactionWidth }: EdgeProps) {
  let path: string;
  if (targetX >= sourceX) {
    [path] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  } else {
    const bottom = Math.max(sourceY, targetY) + BELOW;
    const r = 10;
    path = [
      `M ${sourceX} ${sourceY}`,
      `H ${sourceX + OUT - r} Q ${sourceX + OUT} ${sourceY} ${sourceX + OUT} ${sourceY + r}`,
      `V ${bottom - r} Q ${sourceX + OUT} ${bottom} ${sourceX + OUT - r} ${bottom}`,
      `H ${targetX - OUT + r} Q ${targetX - OUT} ${bottom} ${targetX - OUT} ${bottom - r}`,
      `V ${targetY + r} Q ${targetX - OUT} ${targetY} ${targetX - OUT + r} ${targetY}`,
      `H ${targetX}`,
    ].join(" ");
  }
  return <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} interactionWidth={interactionWidth} />;
}

export const CycleEdge = memo(CycleEdgeView);
