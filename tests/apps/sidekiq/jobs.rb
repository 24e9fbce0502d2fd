# jobs.rb - the Sidekiq jobs of tests/apps/test_sidekiq.py, loaded by the
# real processor (`sidekiq -r jobs.rb`) and by driver.rb (the client side).
#
# Why: the test must see a job's effect in the server itself, not take
# Sidekiq's word for it, so every job that succeeds writes a key; the two
# failing ones exercise the retry set (retry: 1, left waiting there) and
# the dead set (retry: 0, straight to the morgue).  The server comes from
# DBLITE_APPS_REDIS_URL; the scheduler polls every second (not every 5-15
# s) so the scheduled job runs within the test's patience.  With
# DBLITE_APPS_SIDEKIQ_SCHEDULER=off the processor runs no scheduler (an
# enqueuer that does nothing, through Sidekiq's own scheduled_enq option):
# the queue part of the test then needs no sorted sets or Lua scripts,
# which the scheduler's every poll uses.

require "sidekiq"

# redis-rb 4.8 warns about Sidekiq 6.4's calls on every use; the logs the
# test keeps as evidence are clearer without.
Redis.silence_deprecations = true

# The scheduler's enqueuer when it is off: it moves nothing.
class NoScheduledSets
  def enqueue_jobs
  end

  def terminate
  end
end

url = ENV.fetch("DBLITE_APPS_REDIS_URL")
Sidekiq.configure_client { |config| config.redis = {url: url} }
Sidekiq.configure_server do |config|
  config.redis = {url: url}
  config.average_scheduled_poll_interval = 1
  Sidekiq.options[:poll_interval_average] = 1
  Sidekiq.options[:scheduled_enq] = NoScheduledSets if ENV["DBLITE_APPS_SIDEKIQ_SCHEDULER"] == "off"
end

# Writes value under key: the proof, in the server, that the job ran.
class WriteJob
  include Sidekiq::Worker
  sidekiq_options queue: "apps"

  def perform(key, value)
    Sidekiq.redis do |connection|
      connection.set(key, value)
      connection.incr("apps:runs")
    end
  end
end

# Records when it ran, to be compared with the time it was scheduled for.
class ScheduledJob
  include Sidekiq::Worker
  sidekiq_options queue: "apps"

  def perform(key)
    Sidekiq.redis { |connection| connection.set(key, Time.now.to_f.to_s) }
  end
end

# Fails once and waits in the retry set: its retry is an hour away, so
# that however slow the machine the scheduler cannot run it again (and
# send it to the dead set) before the test has looked.
class RetryJob
  include Sidekiq::Worker
  sidekiq_options queue: "apps", retry: 1
  sidekiq_retry_in { 3600 }

  def perform(reason)
    raise ArgumentError, reason
  end
end

# Fails with no retries left: goes to the dead set at once.
class DeadJob
  include Sidekiq::Worker
  sidekiq_options queue: "apps", retry: 0

  def perform(reason)
    raise ArgumentError, reason
  end
end
