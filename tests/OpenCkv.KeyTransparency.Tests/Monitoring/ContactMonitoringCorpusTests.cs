using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tests.Search;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Tests.Monitoring;

/// <summary>
/// Contact monitoring against a fixed corpus (every single-byte change, truncation and extension is rejected),
/// against a log that rewrote the version a contact saw, and against maps the log must refuse.
/// </summary>
public sealed class ContactMonitoringCorpusTests
{
    private const ulong Window = 1_000;

    /// <summary>A log where label 1 gets a version the searching client must monitor, and the client's result.</summary>
    private static (TransparencyLog Log, VerifiedSearch Search, ulong Now) MonitoredSetup((EcdsaP256PrivateKey, VrfKeyPair)? keys = null, byte[]? rewritten = null)
    {
        TransparencyLog log = LogFixture.NewLog(reasonableMonitoringWindow: Window, keys: keys);
        ulong now = LogFixture.PublishRoundRobin(log, entries: 30, labels: 3, start: 10_000, step: 400);
        log.Stage(LogFixture.Label(1), rewritten ?? [1, 2, 3]);
        log.Sequence(now += 100);
        var request = new SearchRequest(null, LogFixture.Label(1), null);
        VerifiedSearch search = SearchVerifier.Verify(LogFixture.Suite, log.Configuration, null, request, log.Search(request), now);
        return (log, search, now);
    }

    private static ulong Heartbeats(TransparencyLog log, ulong now, int count, ulong step)
    {
        for (int i = 0; i < count; i++)
        {
            log.Sequence(now += step);
        }

        return now;
    }

    [Fact]
    public void Every_single_byte_change_of_a_monitoring_response_is_rejected()
    {
        (TransparencyLog log, VerifiedSearch search, ulong now) = MonitoredSetup();
        Assert.True(search.MustMonitor);
        var monitored = MonitoredLabel.After(LogFixture.Label(1), search);
        now = Heartbeats(log, now, 5, 150);

        byte[] encoded = Wire.Encode(log.ContactMonitor(monitored.Request(search.State.TreeSize)), log);
        VerifiedContactMonitor honest = ContactMonitoringTests.Verify(log, search.State, monitored, encoded, now);
        Assert.NotEqual(monitored.Map, honest.Label.Map); // the pair moved up its path

        for (int i = 0; i < encoded.Length; i++)
        {
            byte[] mutated = (byte[])encoded.Clone();
            mutated[i] ^= 0x01;
            Assert.True(
                Rejection.Rejected(() => ContactMonitoringTests.Verify(log, search.State, monitored, mutated, now)),
                $"flipped byte {i} of {encoded.Length} was accepted");
        }

        Assert.True(Rejection.Rejected(() => ContactMonitoringTests.Verify(log, search.State, monitored, encoded[..^1], now)));
        Assert.True(Rejection.Rejected(() => ContactMonitoringTests.Verify(log, search.State, monitored, [.. encoded, 0], now)));
    }

    [Fact]
    public void A_first_contact_monitoring_response_verifies_and_ends_once_a_distinguished_entry_covers_the_version()
    {
        (TransparencyLog log, VerifiedSearch search, ulong now) = MonitoredSetup();
        var monitored = MonitoredLabel.After(LogFixture.Label(1), search);
        now = Heartbeats(log, now, 40, Window / 2);
        VerifiedContactMonitor result = ContactMonitoringTests.Verify(
            log, null, monitored, Wire.Encode(log.ContactMonitor(monitored.Request(null)), log), now);
        Assert.True(result.Label.Done);
    }

    [Fact]
    public void A_log_that_rewrote_the_version_a_contact_saw_is_caught_by_monitoring()
    {
        var keys = (EcdsaP256PrivateKey.Generate(), LogFixture.Suite.Vrf.GenerateKeyPair());
        (TransparencyLog shown, VerifiedSearch search, ulong now) = MonitoredSetup(keys);
        var monitored = MonitoredLabel.After(LogFixture.Label(1), search);

        // The same keys, the same history and timestamps, except that the version the contact saw has another
        // value: what a log that showed this user one history and then continued another would serve.
        (TransparencyLog other, _, _) = MonitoredSetup(keys, rewritten: [6, 6, 6]);
        Heartbeats(shown, now, 5, 150);
        now = Heartbeats(other, now, 5, 150);

        HeadAndProofResponse forked = other.ContactMonitor(monitored.Request(search.State.TreeSize));
        var e = Assert.Throws<KtVerificationException>(() =>
            ContactMonitorVerifier.Verify(LogFixture.Suite, shown.Configuration, search.State, monitored, forked, now));
        Assert.Contains(e.Failure, new[] { VerificationFailure.RetainedValueMismatch, VerificationFailure.SignatureInvalid });
    }

    [Fact]
    public void The_log_refuses_maps_the_draft_rules_out()
    {
        (TransparencyLog log, VerifiedSearch search, _) = MonitoredSetup();
        byte[] label = LogFixture.Label(1);
        ulong terminal = search.TerminalPosition;
        uint version = search.Version;

        // Unsorted, a repeated version, a version the label does not have, a position off the version's path.
        Assert.Throws<ArgumentException>(() => log.ContactMonitor(new ContactMonitorRequest(null, label, [new(terminal, version), new(terminal - 1, version - 1)])));
        Assert.Throws<ArgumentException>(() => log.ContactMonitor(new ContactMonitorRequest(null, label, [new(terminal - 2, version), new(terminal, version)])));
        Assert.Throws<ArgumentException>(() => log.ContactMonitor(new ContactMonitorRequest(null, label, [new(terminal, version + 1)])));
        Assert.Throws<ArgumentException>(() => log.ContactMonitor(new ContactMonitorRequest(null, label, [new(0, version)])));
        Assert.Throws<ArgumentException>(() => log.ContactMonitor(new ContactMonitorRequest(log.Size + 1, label, [new(terminal, version)])));
        log.ContactMonitor(new ContactMonitorRequest(null, label, [new(terminal, version)]));
    }
}
