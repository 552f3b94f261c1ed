-- bench/index_advisor/grow.sql: the road-trip demo schema (demo/sample_schema.sql, loaded first) grown to the size
-- of a real application: 100,000 users, 1,000,000 stories, 300,000 event journeys, 1,000,000 bookings.
--
-- The added rows carry what the bench's workload looks for, in realistic proportions:
--   stories: 8% favourites; content mentions one of 5,000 landmarks ("lm0" .. "lm4999", about 200 stories each);
--            story_metadata has a "trip" number (about ten stories per trip); coordinates spread over the
--            continental United States (a 0.05-degree box holds a handful of stories);
--   bookings: 8% pending, 10% confirmed (the "active" ones: 18%), the rest completed or cancelled.
-- Deterministic: random() is seeded. Foreign keys are checked by construction (every id drawn exists), so the load
-- skips the per-row foreign key triggers (session_replication_role = replica).
\set ON_ERROR_STOP 1
SET search_path = roadtrip, pg_catalog;
SET synchronous_commit = off;
SET session_replication_role = replica;
SELECT setseed(0.13);

INSERT INTO users (user_id, email, display_name, home_city, interests, created_at)
SELECT g, format('traveler%s@example.com', g), format('Traveler %s', g),
       (ARRAY['Moab', 'Austin', 'Denver', 'Boston', 'Seattle'])[1 + g % 5],
       jsonb_build_array((ARRAY['history', 'food', 'music', 'nature'])[1 + g % 4]),
       timestamptz '2021-01-01 00:00+00' + g * interval '5 minutes'
FROM generate_series(5001, 100000) AS g;

INSERT INTO stories (story_id, user_id, title, content, story_metadata, interests, latitude, longitude, is_favorite,
                     created_at)
SELECT g, 1 + floor(random() * 100000)::bigint,
       format('Stop %s', g),
       format('%s lm%s, %s',
              (ARRAY['We rolled into', 'Just past', 'Somewhere outside', 'Halfway to'])[1 + g % 4],
              floor(random() * 5000)::int,
              (ARRAY['the radio cut out and the stories took over.', 'a local band was playing in a parking lot.',
                     'an old diner owner told us how the town got its name.'])[1 + g % 3]),
       jsonb_build_object('trip', g / 10, 'mood', (ARRAY['curious', 'calm', 'spooky'])[1 + g % 3],
                          'weather', (ARRAY['sunny', 'rain', 'fog', 'snow'])[1 + g % 4]),
       jsonb_build_array((ARRAY['history', 'food', 'music', 'nature'])[1 + g % 4]),
       30 + random() * 17, -122 + random() * 50,
       random() < 0.08,
       timestamptz '2022-01-01 00:00+00' + g * interval '1 minute'
FROM generate_series(60001, 1000000) AS g;

INSERT INTO event_journeys (event_journey_id, user_id, story_id, venue_name, venue_lat, venue_lon, event_date,
                            created_at)
SELECT g, 1 + floor(random() * 100000)::bigint, 1 + floor(random() * 1000000)::bigint,
       format('Venue %s', g % 997), 30 + random() * 17, -122 + random() * 50,
       date '2023-01-01' + floor(random() * 1095)::int,
       timestamptz '2022-06-01 00:00+00' + g * interval '2 minutes'
FROM generate_series(20001, 300000) AS g;

INSERT INTO bookings (booking_id, user_id, event_journey_id, booking_status, service_date, amount, created_at,
                      updated_at)
SELECT g, 1 + floor(random() * 100000)::bigint, 1 + floor(random() * 300000)::bigint,
       CASE WHEN r < 0.08 THEN 'pending' WHEN r < 0.18 THEN 'confirmed' WHEN r < 0.90 THEN 'completed'
            ELSE 'cancelled' END,
       date '2023-01-01' + floor(random() * 1095)::int,
       round((15 + random() * 485)::numeric, 2),
       timestamptz '2022-06-01 00:00+00' + g * interval '1 minute',
       timestamptz '2022-06-01 00:00+00' + g * interval '1 minute'
FROM (SELECT g, random() AS r FROM generate_series(30001, 1000000) AS g OFFSET 0) AS s;

RESET session_replication_role;
SELECT setval(pg_get_serial_sequence('roadtrip.users', 'user_id'), 100000),
       setval(pg_get_serial_sequence('roadtrip.stories', 'story_id'), 1000000),
       setval(pg_get_serial_sequence('roadtrip.event_journeys', 'event_journey_id'), 300000),
       setval(pg_get_serial_sequence('roadtrip.bookings', 'booking_id'), 1000000);
