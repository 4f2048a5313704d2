import { type NodeProps, NodeResizer } from "@xyflow/react";
import { memo, useState } from "react";
import type { CanvasComment } from "../model/convert";
import { useDocument } from "../store";

/** A sticky note: text kept in `layout.comments`; double-click to edit, drag the corner to resize. */
function CommentNodeView({ data, selected }: NodeProps<CanvasComment>) {
  const { comment } = data;
  const [editing, setEditing] = useState(comment.text === "");
  return (
    <div className="comment-node" style={comment.color ? { background: comment.color } : undefined} data-comment={comment.id} onDoubleClick={() => setEditing(true)}>
      <NodeResizer isVisible={selected} minWidth={120} minHeight={60} />
      {editing ? (
        <textarea
          className="nodrag nowheel"
          aria-label="Sticky note"
          autoFocus
          defaultValue={comment.text}
          placeholder="A note for whoever reads this graph"
          onBlur={(e) => {
            setEditing(false);
            if (e.target.value !== comment.text) useDocument.getState().updateComment(comment.id, { text: e.target.value });
          }}
          onKeyDown={(e) => e.key === "Escape" && (e.target as HTMLTextAreaElement).blur()}
        />
      ) : (
        <div className="comment-text">{comment.text || "Double-click to write"}</div>
      )}
    </div>
  );
}

export const CommentNode = memo(CommentNodeView);
