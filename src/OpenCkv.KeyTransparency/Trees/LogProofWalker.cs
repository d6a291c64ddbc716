namespace OpenCkv.KeyTransparency.Trees;

/// <summary>
/// The one recursion that decides, node by node, where a batched log-tree proof's values come from (KT §3.2,
/// §12.1). The prover runs it to list the balanced subtree heads it must send; the verifier runs it to consume
/// them. Both run the same code, so they cannot disagree on the order or number of elements.
/// </summary>
internal static class LogProofWalker
{
    public static TValue Walk<TVisitor, TValue>(LogProofShape shape, LogRange node, TVisitor visitor)
        where TVisitor : ILogProofVisitor<TValue>
    {
        TValue value;
        if (node.IsLeaf && shape.IsKnownLeaf(node.Start))
        {
            value = visitor.KnownLeaf(node.Start);
        }
        else
        {
            bool hasKnown = shape.ContainsKnownLeaf(node);
            bool needsInside = hasKnown || shape.ContainsRetainedStrictly(node) || shape.ContainsAuditorSubtreeStrictly(node);
            if (shape.IsRetained(node) && !hasKnown && !shape.ContainsAuditorSubtreeStrictly(node))
            {
                return visitor.Retained(node);
            }

            if (!needsInside && node.IsBalanced)
            {
                // Nothing the verifier knows lies below: the head of this balanced subtree is sent as is.
                value = visitor.Provided(node);
                visitor.Computed(node, value);
                return value;
            }

            // A non-balanced node is always broken down into balanced subtrees, so proofs carry only balanced heads.
            TValue left = Walk<TVisitor, TValue>(shape, node.Left, visitor);
            TValue right = Walk<TVisitor, TValue>(shape, node.Right, visitor);
            value = visitor.Parent(node, left, right);
        }

        if (shape.IsRetained(node))
        {
            // KT §12.1: a retained head recomputed from requested leaves must match what the verifier retained.
            visitor.CheckRetained(node, value);
        }

        visitor.Computed(node, value);
        return value;
    }
}

/// <summary>What <see cref="LogProofWalker"/> does at each kind of node.</summary>
internal interface ILogProofVisitor<TValue>
{
    TValue KnownLeaf(ulong leaf);

    TValue Retained(LogRange node);

    TValue Provided(LogRange node);

    TValue Parent(LogRange node, TValue left, TValue right);

    void CheckRetained(LogRange node, TValue computed);

    void Computed(LogRange node, TValue value);
}
