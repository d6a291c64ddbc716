using OpenCkv.KeyTransparency.Logs.Storage;
using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.KeyTransparency.Logs;

public sealed partial class TransparencyLog
{
    /// <summary>
    /// A head's size difference beyond which the label caches are dropped rather than brought up to date entry by
    /// entry: reloading a label from the store costs one query, walking the skipped entries one each.
    /// </summary>
    private const ulong IncrementalRefreshLimit = 256;

    /// <summary>
    /// Follows what other writers of a shared store committed (a read replica, or a server about to take over as
    /// the writer): the store's newest signed head is verified as <see cref="Open(Crypto.CryptoSuite, Configuration, ITreeHeadSigner, Crypto.Vrf.VrfKeyPair, ILogStore)"/>
    /// verifies it before it replaces anything, then the caches learn the versions added since. With
    /// <paramref name="completeHead"/>, a committed entry still waiting for its head (its writer stopped between
    /// the commit and the signature) is signed first; only the log's writer may pass it.
    /// </summary>
    /// <returns>The log's size afterwards.</returns>
    /// <exception cref="InvalidOperationException">Values are staged (the writer refreshes only between entries), or
    /// the store's signed size went down: a store never loses a signed entry.</exception>
    /// <exception cref="ArgumentException">The store's head does not verify; nothing was replaced.</exception>
    public ulong Refresh(bool completeHead)
    {
        lock (_writeGate)
        {
            if (_pending.Count > 0)
            {
                throw new InvalidOperationException("Values are staged: a log refreshes between entries.");
            }

            _store.Refresh();
            ulong committed = _store.Size;
            ulong signed = _store.SignedSize;
            if (completeHead && signed + 1 == committed)
            {
                CompleteHeadLocked(committed);
                signed = committed;
            }

            if (signed < _size)
            {
                throw new InvalidOperationException($"The store holds {signed} signed entries, fewer than the {_size} this log served.");
            }

            if (signed == _size)
            {
                return _size;
            }

            (TreeHead head, ulong timestamp) = VerifiedHead(signed);
            LearnVersions(_size, signed);
            lock (_gate)
            {
                _size = signed;
                _head = head;
                _lastTimestamp = timestamp;
            }

            _signer.Witnessed(signed, TreeHead.ToBeSigned(Configuration, signed, LogTreeProof.Root(_store.LogTree, signed, _suite.TreeHashes)));
            return _size;
        }
    }

    /// <summary>Signs and stores the head of the committed entry that has none (KT §11.2, DESIGN §7).</summary>
    private void CompleteHeadLocked(ulong size)
    {
        byte[] toBeSigned = TreeHead.ToBeSigned(Configuration, size, LogTreeProof.Root(_store.LogTree, size, _suite.TreeHashes));
        _store.StoreHead(new TreeHead(size, _sign(size, toBeSigned)));
        _signer.Committed(size);
    }

    /// <summary>Appends to cached label histories the versions entries [from, to) added; drops what it cannot follow.</summary>
    private void LearnVersions(ulong from, ulong to)
    {
        if (to - from > IncrementalRefreshLimit)
        {
            _labels.Clear();
            return;
        }

        for (ulong position = from; position < to; position++)
        {
            foreach (PublishedLabelVersion added in _store.VersionsAt(position))
            {
                if (!_labels.TryGetValue(added.Label, out LabelHistory? history))
                {
                    continue; // loaded from the store, whole, when first asked for
                }

                int count = history.Count;
                if (count == added.Version.Version)
                {
                    history.Append(added.Version);
                }
                else if (count < added.Version.Version)
                {
                    _labels.TryRemove(added.Label, out _); // a gap: reload it whole
                }

                // count > version: loaded after that entry committed, so it holds it already
            }
        }
    }
}
