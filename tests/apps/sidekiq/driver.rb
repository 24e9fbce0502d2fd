# driver.rb MODE - the client side of tests/apps/test_sidekiq.py.
#
# Why: Sidekiq's own client and API, not hand-written RESP, must put the
# jobs in and read the outcome out (queues, sets, stats, processes), so
# that what is tested is what a Sidekiq application does.  Each mode
# prints one JSON object for the Python test to check; any error exits
# non-zero with its message (a server's "unknown command" among them).
#   enqueue-queue  WriteJobs by perform_async, Client.push, push_bulk
#   processes      the running processors (ProcessSet: the heartbeat)
#   inspect-queue  the queue's size and the processed/failed history
#   enqueue-sets   a scheduled job (perform_in), one to retry, one to die
#   inspect-sets   the retry and dead sets and the stats

require "json"
require_relative "jobs"
require "sidekiq/api"

def enqueue_queue
  {"write" => WriteJob.perform_async("apps:written", "by perform_async"),
   "push" => Sidekiq::Client.push("class" => WriteJob, "queue" => "apps",
                                  "args" => ["apps:pushed", "by Client.push"]),
   "bulk" => Sidekiq::Client.push_bulk("class" => WriteJob, "queue" => "apps",
                                       "args" => (1..3).map { |i| ["apps:bulk:#{i}", i.to_s] }),
   "queued" => Sidekiq::Queue.new("apps").size,
   "queues" => Sidekiq::Queue.all.map(&:name)}
end

def processes
  {"processes" => Sidekiq::ProcessSet.new.map { |process|
    {"tag" => process["tag"], "queues" => process["queues"],
     "concurrency" => process["concurrency"]}
  }}
end

def inspect_queue
  # Today and yesterday: a run that crosses midnight (UTC) counts in both.
  history = Sidekiq::Stats::History.new(2)
  {"queued" => Sidekiq::Queue.new("apps").size,
   "processed" => history.processed.values.sum, "failed" => history.failed.values.sum}
end

def enqueue_sets
  {"retry" => RetryJob.perform_async("retry on purpose"),
   "dead" => DeadJob.perform_async("dead on purpose"),
   "scheduled_for" => Time.now.to_f + 2,
   "scheduled" => ScheduledJob.perform_in(2, "apps:scheduled"),
   "queued" => Sidekiq::Queue.new("apps").size,
   "scheduled_count" => Sidekiq::ScheduledSet.new.size}
end

# late: the entry's time (its score) is more than half an hour away, as
# RetryJob's sidekiq_retry_in asks.
def entries(set)
  set.map { |job|
    {"jid" => job.jid, "class" => job.klass, "error" => job["error_message"],
     "retry_count" => job["retry_count"], "late" => job.at > Time.now + 1800}
  }
end

def inspect_sets
  stats = Sidekiq::Stats.new
  {"retry" => entries(Sidekiq::RetrySet.new), "dead" => entries(Sidekiq::DeadSet.new),
   "scheduled_count" => Sidekiq::ScheduledSet.new.size,
   "queued" => Sidekiq::Queue.new("apps").size,
   "processed" => stats.processed, "failed" => stats.failed}
end

MODES = {"enqueue-queue" => :enqueue_queue, "processes" => :processes,
         "inspect-queue" => :inspect_queue, "enqueue-sets" => :enqueue_sets,
         "inspect-sets" => :inspect_sets}

begin
  puts JSON.generate(send(MODES.fetch(ARGV.fetch(0))))
rescue => error
  warn "#{error.class}: #{error.message}"
  warn error.backtrace.first(10).join("\n")
  exit 1
end
