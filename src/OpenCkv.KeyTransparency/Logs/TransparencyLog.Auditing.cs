using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.KeyTransparency.Logs;

public sealed partial class TransparencyLog
{
    private AuditorTreeHead? _auditorHead;

    /// <summary>The latest auditor head accepted, which responses carry (third-party auditing only).</summary>
    public AuditorTreeHead? AuditorHead
    {
        get
        {
            lock (_gate)
            {
                return _auditorHead;
            }
        }
    }

    /// <summary>
    /// The <see cref="AuditorUpdate"/> for the entry at <paramref name="position"/> (KT §15.2): its timestamp, the
    /// leaves it added ascending by VRF output, none removed (this log never removes a leaf), and a batch lookup
    /// proof for the added keys in the previous entry's prefix tree.
    /// </summary>
    public AuditorUpdate AuditorUpdateFor(ulong position)
    {
        ulong size = Size;
        if (position >= size)
        {
            throw new ArgumentOutOfRangeException(nameof(position), position, $"The log has {size} entries.");
        }

        if (IsExpired(position, size))
        {
            // Its update is proven against the tree before it, which is expired too and need not be kept (KT §7.1).
            throw new ArgumentException(
                $"Entry {position} has passed the log's maximum lifetime, and the prefix tree its update is proven against is not kept: an auditor this far behind cannot catch up.",
                nameof(position));
        }

        PrefixLeaf[] added = _store.VersionsAt(position).Select(v => new PrefixLeaf(v.Version.VrfOutput, v.Version.Commitment)).ToArray();
        Array.Sort(added, static (a, b) => a.VrfOutput.Span.SequenceCompareTo(b.VrfOutput.Span));
        PrefixVersion previous = position > 0 ? _store.Entry(position - 1).Tree : _store.PrefixVersions.Empty;
        PrefixProof proof = _store.PrefixVersions.Search(previous, added.Select(l => l.VrfOutput).ToArray());
        return new AuditorUpdate(_store.Entry(position).Timestamp, added, [], proof);
    }

    /// <summary>
    /// Takes a head the auditor signed, after checking it as a client would (KT §11.3): a size this log has, the
    /// timestamp of the entry it ends with, a valid signature by the configured auditor over this log's root at that
    /// size, and no step back from the head already held.
    /// </summary>
    /// <exception cref="ArgumentException">The head fails a check; the head already held stays.</exception>
    public void AcceptAuditorHead(AuditorTreeHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (Configuration.Mode != DeploymentMode.ThirdPartyAuditing)
        {
            throw new InvalidOperationException("Only a third-party-auditing log has an auditor.");
        }

        ulong size = Size;
        if (head.TreeSize == 0 || head.TreeSize > size || head.TreeSize < Configuration.AuditorStartPosition)
        {
            throw new ArgumentException($"The auditor's tree size {head.TreeSize} is not one this log of {size} entries can show.", nameof(head));
        }

        if (head.Timestamp != _store.Entry(head.TreeSize - 1).Timestamp)
        {
            throw new ArgumentException("The auditor's timestamp is not that of the last entry it covers.", nameof(head));
        }

        Hash32 root = LogTreeProof.Root(_store.LogTree, head.TreeSize, _suite.TreeHashes);
        if (!EcdsaP256PublicKey.TryGetShared(Configuration.AuditorPublicKey, out EcdsaP256PublicKey? key) ||
            !key.Verify(AuditorTreeHead.ToBeSigned(Configuration, head.Timestamp, head.TreeSize, root), head.Signature))
        {
            throw new ArgumentException("The auditor's signature does not verify over this log's root.", nameof(head));
        }

        lock (_gate)
        {
            if (_auditorHead is { } held && held.TreeSize > head.TreeSize)
            {
                throw new ArgumentException($"The auditor already signed size {held.TreeSize}.", nameof(head));
            }

            _auditorHead = head;
        }
    }
}
