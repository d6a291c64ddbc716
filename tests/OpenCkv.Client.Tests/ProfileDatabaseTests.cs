using OpenCkv.Client.Alerts;
using OpenCkv.Client.Profiles;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.Protocol;

namespace OpenCkv.Client.Tests;

/// <summary>A device profile's SQLite file: alerts, counters, pins and transactions.</summary>
public sealed class ProfileDatabaseTests : IDisposable
{
    private const string Bob = "mailto:bob@example.com";

    private readonly TempFolder _folder = new();
    private readonly Account _alice = new();
    private readonly ProfileDatabase _db;

    public ProfileDatabaseTests() => _db = new ProfileDatabase(_folder.File("profile.db"));

    public void Dispose()
    {
        _db.Dispose();
        _alice.Dispose();
        _folder.Dispose();
    }

    private static byte[] Id(byte value) => Enumerable.Repeat(value, 16).ToArray();

    private ContactPin Pin(MonitoredLabel? monitored = null)
    {
        HandleRecord on = _alice.Publish(CkvState.On);
        return new ContactPin(Account.Label, on, on.Counter + 3, 1_234, SeenOn: true, LastCheckPassed: false, monitored);
    }

    [Fact]
    public void Raising_an_unacknowledged_alert_again_keeps_one_alert()
    {
        long first = _db.Raise(1, AlertCode.UnknownDevice, Account.Label, "first");
        long again = _db.Raise(2, AlertCode.UnknownDevice, Account.Label, "second");
        long otherLabel = _db.Raise(3, AlertCode.UnknownDevice, Bob, "bob");
        long otherCode = _db.Raise(4, AlertCode.BadSignature, Account.Label, "other");
        long own = _db.Raise(5, AlertCode.Fork, null, "own");
        long ownAgain = _db.Raise(6, AlertCode.Fork, null, "own again");

        Assert.Equal(first, again);
        Assert.Equal(own, ownAgain);
        Assert.Equal(4, new[] { first, otherLabel, otherCode, own }.Distinct().Count());
        Alert kept = Assert.Single(_db.Alerts(), a => a.Id == first);
        Assert.Equal("first", kept.Detail);
        Assert.Equal(1UL, kept.TimeMs);
        Assert.Equal(AlertSeverity.Warning, kept.Severity);
        Assert.Equal(4, _db.Alerts().Count);
    }

    [Fact]
    public void Each_event_notification_is_its_own_alert_while_a_standing_clock_skew_stays_one()
    {
        long first = _db.Raise(1, AlertCode.CodeChanged, Bob, "the new code is A");
        long second = _db.Raise(2, AlertCode.CodeChanged, Bob, "the new code is B");
        long sameEvent = _db.Raise(3, AlertCode.CodeChanged, Bob, "the new code is B");
        long skew = _db.Raise(4, AlertCode.ClockSkew, null, "off by 5 minutes");
        long skewAgain = _db.Raise(5, AlertCode.ClockSkew, null, "off by 6 minutes");

        Assert.NotEqual(first, second);
        Assert.Equal(second, sameEvent);
        Assert.Equal(skew, skewAgain);
        Assert.Equal(3, _db.Alerts().Count);
    }

    [Fact]
    public void An_alert_raised_after_it_was_acknowledged_is_a_new_alert()
    {
        long first = _db.Raise(1, AlertCode.UnknownDevice, Account.Label, "first");
        Assert.True(_db.Acknowledge(first));
        Assert.False(_db.Acknowledge(first + 100));

        long again = _db.Raise(2, AlertCode.UnknownDevice, Account.Label, "again");

        Assert.NotEqual(first, again);
        Assert.Equal([again, first], _db.Alerts().Select(a => a.Id));
        Assert.Equal([again], _db.Alerts(unacknowledgedOnly: true).Select(a => a.Id));
    }

    [Fact]
    public void Acknowledging_the_warnings_of_a_label_leaves_its_notifications_and_other_labels_alone()
    {
        long warning = _db.Raise(1, AlertCode.UnknownDevice, Account.Label, "w");
        long other = _db.Raise(2, AlertCode.CounterRegression, Account.Label, "w2");
        long notification = _db.Raise(3, AlertCode.CodeChanged, Account.Label, "n");
        long bob = _db.Raise(4, AlertCode.UnknownDevice, Bob, "bob");
        long own = _db.Raise(5, AlertCode.Fork, null, "own");

        _db.AcknowledgeWarnings(Account.Label);

        var acknowledged = _db.Alerts().ToDictionary(a => a.Id, a => a.Acknowledged);
        Assert.True(acknowledged[warning]);
        Assert.True(acknowledged[other]);
        Assert.False(acknowledged[notification]);
        Assert.False(acknowledged[bob]);
        Assert.False(acknowledged[own]);
        Assert.Equal(AlertSeverity.Notification, _db.Alerts().Single(a => a.Id == notification).Severity);
    }

    [Fact]
    public void Send_counters_count_from_one_per_conversation_and_recipient_device_and_survive_a_reopen()
    {
        Assert.Equal(1UL, _db.NextSendCounter(Id(1), Id(7)));
        Assert.Equal(2UL, _db.NextSendCounter(Id(1), Id(7)));
        Assert.Equal(1UL, _db.NextSendCounter(Id(2), Id(7)));
        Assert.Equal(1UL, _db.NextSendCounter(Id(1), Id(8)));
        Assert.Equal(3UL, _db.NextSendCounter(Id(1), Id(7)));

        using var reopened = new ProfileDatabase(_folder.File("profile.db"));
        Assert.Equal(4UL, reopened.NextSendCounter(Id(1), Id(7)));
        Assert.Equal(2UL, reopened.NextSendCounter(Id(2), Id(7)));
        Assert.Equal(2UL, reopened.NextSendCounter(Id(1), Id(8)));

        // A counter given back (the server refused its message) is handed out again; one already overtaken is not.
        reopened.ReleaseSendCounter(Id(1), Id(8), 2);
        Assert.Equal(2UL, reopened.NextSendCounter(Id(1), Id(8)));
        reopened.ReleaseSendCounter(Id(1), Id(7), 3);
        Assert.Equal(5UL, reopened.NextSendCounter(Id(1), Id(7)));
    }

    [Fact]
    public void A_received_counter_is_recorded_once_and_the_highest_before_is_reported()
    {
        Assert.True(_db.TryRecordReceived(Id(1), Id(9), 5, out ulong highest));
        Assert.Equal(0UL, highest);
        Assert.True(_db.TryRecordReceived(Id(1), Id(9), 3, out highest));
        Assert.Equal(5UL, highest);
        Assert.True(_db.TryRecordReceived(Id(1), Id(9), 8, out highest));
        Assert.Equal(5UL, highest);

        Assert.False(_db.TryRecordReceived(Id(1), Id(9), 5, out highest));
        Assert.Equal(8UL, highest);
        Assert.False(_db.TryRecordReceived(Id(1), Id(9), 3, out _));

        Assert.True(_db.TryRecordReceived(Id(1), Id(8), 5, out highest));
        Assert.Equal(0UL, highest);
        Assert.True(_db.TryRecordReceived(Id(2), Id(9), 5, out highest));
        Assert.Equal(0UL, highest);
    }

    [Fact]
    public void A_pin_without_a_monitored_label_round_trips()
    {
        ContactPin pin = Pin();
        Assert.Null(_db.Pin(Account.Label));

        _db.SetPin(pin);

        Assert.Equal(pin, _db.Pin(Account.Label));
        Assert.Empty(_db.MonitoredLabels());
    }

    [Fact]
    public void A_pin_with_a_monitored_label_round_trips_and_is_listed_for_monitoring()
    {
        var leaf = new PrefixLeaf(Hash32.From(Id(3).Concat(Id(4)).ToArray()), Hash32.Zero);
        var monitored = new MonitoredLabel("mailto:alice@example.com"u8.ToArray(), [new MonitorMapEntry(11, 1)], new Dictionary<uint, PrefixLeaf> { [1] = leaf });
        ContactPin pin = Pin(monitored);

        _db.SetPin(pin);

        ContactPin read = _db.Pin(Account.Label)!;
        Assert.Equal(pin with { Monitored = null }, read with { Monitored = null });
        Assert.Equal(monitored.Label, read.Monitored!.Label);
        Assert.Equal(monitored.Map, read.Monitored.Map);
        Assert.Equal(monitored.Known, read.Monitored.Known);
        Assert.Equal([Account.Label], _db.MonitoredLabels());

        // Nothing left to monitor: the map is not kept.
        _db.SetPin(pin with { Monitored = monitored with { Map = [] } });
        Assert.Null(_db.Pin(Account.Label)!.Monitored);
        Assert.Empty(_db.MonitoredLabels());
    }

    [Fact]
    public void A_later_pin_replaces_the_earlier_one_and_a_failed_check_only_clears_the_mark()
    {
        _db.SetPin(Pin() with { LastCheckPassed = true });
        ContactPin later = Pin() with { LastCheckPassed = true };

        _db.SetPin(later);
        Assert.Equal(later, _db.Pin(Account.Label));

        _db.MarkCheckFailed(Account.Label);
        Assert.Equal(later with { LastCheckPassed = false }, _db.Pin(Account.Label));
    }

    [Fact]
    public void A_transaction_that_throws_writes_nothing_and_one_that_completes_writes_everything()
    {
        ContactPin pin = Pin();

        Assert.Throws<InvalidOperationException>(() => _db.InTransaction(() =>
        {
            _db.SetSetting("handle", "alice");
            _db.SetPin(pin);
            _db.Raise(1, AlertCode.UnknownDevice, Account.Label, "w");
            Assert.Equal(1UL, _db.NextSendCounter(Id(1), Id(7)));
            throw new InvalidOperationException("crash");
        }));

        Assert.Null(_db.Setting("handle"));
        Assert.Null(_db.Pin(Account.Label));
        Assert.Empty(_db.Alerts());

        _db.InTransaction(() =>
        {
            _db.SetSetting("handle", "alice");
            _db.SetPin(pin);
        });
        Assert.Equal("alice", _db.TextSetting("handle"));
        Assert.Equal(pin, _db.Pin(Account.Label));
        Assert.Equal(1UL, _db.NextSendCounter(Id(1), Id(7)));
    }
}
