using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tests.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.KeyTransparency.Tests.Monitoring;

/// <summary>
/// Walking distinguished heads (KT §10, §13.6) and fork detection (§10.2, DESIGN §5): the walk finds exactly the
/// recent distinguished entries of a slow reference; honest views taken at different times are consistent; two
/// logs that share keys and a beginning but then diverge are caught as a fork with both roots as evidence; views
/// too far apart are unlinkable; every byte change of a self-contained response is rejected.
/// </summary>
public sealed class DistinguishedHeadsTests
{
    private const ulong Window = 1_000;

    /// <summary>KT §6.1 over all timestamps at once: the slow, obviously correct reference.</summary>
    private static SortedSet<ulong> ReferenceDistinguished(List<ulong> timestamps)
    {
        var found = new SortedSet<ulong>();
        var n = (ulong)timestamps.Count;

        void Visit(ulong node, ulong left, ulong right)
        {
            if (right - left < Window)
            {
                return;
            }

            found.Add(node);
            if (ImplicitTree.HasLeft(node))
            {
                Visit(ImplicitTree.Left(node), left, timestamps[(int)node]);
            }

            if (ImplicitTree.HasRight(node, n))
            {
                Visit(ImplicitTree.Right(node, n), timestamps[(int)node], right);
            }
        }

        Visit(ImplicitTree.Root(n), 0, timestamps[^1]);
        return found;
    }

    private static (TransparencyLog Log, List<ulong> Timestamps) History(int seed, int entries, (EcdsaP256PrivateKey, VrfKeyPair)? keys = null, int divergeAt = int.MaxValue)
    {
        var random = new Random(seed);
        var forked = new Random(seed + 1_000);
        TransparencyLog log = LogFixture.NewLog(reasonableMonitoringWindow: Window, keys: keys);
        var timestamps = new List<ulong>();
        ulong now = 1_000_000;
        for (int i = 0; i < entries; i++)
        {
            Random source = i < divergeAt ? random : forked;
            now += (ulong)source.Next(0, 400);
            if (source.Next(0, 3) == 0)
            {
                log.Stage(LogFixture.Label(source.Next(0, 20)), [(byte)i, (byte)(i >= divergeAt ? 1 : 0)]);
            }

            log.Sequence(now);
            timestamps.Add(now);
        }

        return (log, timestamps);
    }

    private static VerifiedDistinguished Walk(TransparencyLog log, ulong now)
    {
        var request = new DistinguishedRequest(null, null);
        return DistinguishedVerifier.Verify(LogFixture.Suite, log.Configuration, null, request, Wire.Decode(Wire.Encode(log.DistinguishedHeads(request), log), log), now);
    }

    [Theory]
    [InlineData(1, 50)]
    [InlineData(2, 300)]
    [InlineData(3, 1_000)]
    public void The_walk_finds_the_ten_rightmost_distinguished_entries_of_the_reference(int seed, int entries)
    {
        (TransparencyLog log, List<ulong> timestamps) = History(seed, entries);
        VerifiedDistinguished walk = Walk(log, timestamps[^1]);
        ulong[] expected = ReferenceDistinguished(timestamps).Reverse().Take(DistinguishedWalk.RecentCount).Reverse().ToArray();
        Assert.Equal(expected, walk.Entries);
        Assert.Equal(expected.Length, walk.DistinguishedHead.Count);
    }

    [Fact]
    public void Honest_views_at_different_times_are_consistent_and_a_later_one_extends_an_earlier_one()
    {
        (TransparencyLog log, List<ulong> timestamps) = History(7, 400);
        VerifiedDistinguished earlier = Walk(log, timestamps[^1]);
        ulong now = timestamps[^1];
        for (int i = 0; i < 12; i++)
        {
            log.Sequence(now += 300);
        }

        VerifiedDistinguished later = Walk(log, now);
        Assert.Equal(ForkVerdict.Consistent, ForkCheck.Compare(earlier, later).Verdict);
        Assert.Equal(ForkVerdict.Consistent, ForkCheck.Compare(later, earlier).Verdict);
    }

    [Fact]
    public void Two_logs_that_diverge_after_a_shared_beginning_are_a_fork_with_both_roots_as_evidence()
    {
        var keys = (EcdsaP256PrivateKey.Generate(), LogFixture.Suite.Vrf.GenerateKeyPair());
        (TransparencyLog shown, List<ulong> shownTimes) = History(9, 400, keys, divergeAt: 360);
        (TransparencyLog other, _) = History(9, 400, keys, divergeAt: 380);

        ForkComparison result = ForkCheck.Compare(Walk(shown, shownTimes[^1]), Walk(other, shownTimes[^1]));
        Assert.Equal(ForkVerdict.Fork, result.Verdict);
        Assert.True(result.Size > 360, $"the fork shows at size {result.Size}, after the divergence");
        Assert.NotEqual(result.Mine, result.Theirs);
    }

    [Fact]
    public void Views_too_far_apart_share_no_size_and_are_unlinkable()
    {
        (TransparencyLog log, List<ulong> timestamps) = History(11, 100);
        VerifiedDistinguished early = Walk(log, timestamps[^1]);
        ulong now = timestamps[^1];
        for (int i = 0; i < 400; i++)
        {
            log.Sequence(now += 700);
        }

        Assert.Equal(ForkVerdict.Unlinkable, ForkCheck.Compare(early, Walk(log, now)).Verdict);
    }

    [Fact]
    public void The_fork_watch_warns_at_once_on_a_fork_and_only_after_retries_or_the_grace_period_when_unlinkable()
    {
        var keys = (EcdsaP256PrivateKey.Generate(), LogFixture.Suite.Vrf.GenerateKeyPair());
        (TransparencyLog mine, List<ulong> times) = History(21, 400, keys, divergeAt: 360);
        (TransparencyLog forked, _) = History(21, 400, keys, divergeAt: 380);
        ulong now = times[^1];
        byte[] own = Wire.Encode(mine.DistinguishedHeads(new DistinguishedRequest(null, null)), mine);
        VerifiedDistinguished ownWalk = DistinguishedVerifier.Verify(LogFixture.Suite, mine.Configuration, null, new DistinguishedRequest(null, null), Wire.Decode(own, mine), now);

        // The same log: consistent. The forked one: a fork, with both responses kept.
        var watch = new ForkWatch(LogFixture.Suite, mine.Configuration, maxTries: 3, gracePeriodMs: 60_000);
        Assert.Equal(ForkAction.None, watch.Compare(ownWalk, own, own, now).Action);
        byte[] theirs = Wire.Encode(forked.DistinguishedHeads(new DistinguishedRequest(null, null)), forked);
        ForkDecision fork = watch.Compare(ownWalk, own, theirs, now);
        Assert.Equal(ForkAction.WarnFork, fork.Action);
        Assert.Same(theirs, fork.Evidence!.PeerResponse);
        Assert.NotEqual(fork.Evidence.OwnRoot, fork.Evidence.PeerRoot);

        // A peer far ahead of us: unlinkable. Resync twice, then warn on the third try …
        ulong later = now;
        for (int i = 0; i < 400; i++)
        {
            mine.Sequence(later += 700);
        }

        byte[] ahead = Wire.Encode(mine.DistinguishedHeads(new DistinguishedRequest(null, null)), mine);
        Assert.Equal(ForkAction.Resync, watch.Compare(ownWalk, own, ahead, later).Action);
        Assert.Equal(ForkAction.Resync, watch.Compare(ownWalk, own, ahead, later).Action);
        Assert.Equal(ForkAction.WarnUnlinkable, watch.Compare(ownWalk, own, ahead, later).Action);

        // … or once the grace period has passed, whatever the count.
        var patient = new ForkWatch(LogFixture.Suite, mine.Configuration, maxTries: 100, gracePeriodMs: 1_000);
        Assert.Equal(ForkAction.Resync, patient.Compare(ownWalk, own, ahead, later).Action);
        Assert.Equal(ForkAction.WarnUnlinkable, patient.Compare(ownWalk, own, ahead, later + 1_001).Action);

        // The own side of any evidence must be self-contained too.
        var linked = DistinguishedVerifier.Verify(
            LogFixture.Suite, mine.Configuration, ownWalk.State, new DistinguishedRequest(ownWalk.State.TreeSize, null),
            mine.DistinguishedHeads(new DistinguishedRequest(ownWalk.State.TreeSize, null)), later);
        Assert.False(linked.SelfContained);
        Assert.Throws<ArgumentException>(() => watch.Compare(linked, own, theirs, later));

        // A response that does not verify proves nothing, either way.
        byte[] broken = (byte[])theirs.Clone();
        broken[^1] ^= 1;
        Assert.True(Rejection.Rejected(() => watch.Compare(ownWalk, own, broken, now)));
    }

    [Fact]
    public void Every_single_byte_change_of_a_self_contained_response_is_rejected()
    {
        (TransparencyLog log, List<ulong> timestamps) = History(13, 120);
        var request = new DistinguishedRequest(null, null);
        byte[] encoded = Wire.Encode(log.DistinguishedHeads(request), log);
        Assert.NotEmpty(DistinguishedVerifier.Verify(LogFixture.Suite, log.Configuration, null, request, Wire.Decode(encoded, log), timestamps[^1]).Entries);
        for (int i = 0; i < encoded.Length; i++)
        {
            byte[] mutated = (byte[])encoded.Clone();
            mutated[i] ^= 0x01;
            Assert.True(
                Rejection.Rejected(() => DistinguishedVerifier.Verify(LogFixture.Suite, log.Configuration, null, request, Wire.Decode(mutated, log), timestamps[^1])),
                $"flipped byte {i} of {encoded.Length} was accepted");
        }
    }
}
