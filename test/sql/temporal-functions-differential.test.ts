// MySQL's date and time functions (sql/temporal-functions.ts) against MariaDB: DATE_ADD and
// DATE_SUB with simple and composite intervals, `+ INTERVAL` and `- INTERVAL`, the parts (YEAR …
// MICROSECOND, EXTRACT, DAYOFWEEK, WEEKDAY, DAYOFYEAR, WEEK, QUARTER), DATEDIFF, TIMESTAMPDIFF,
// DATE_FORMAT, DATE(), TIME(), LAST_DAY, DAYNAME, MONTHNAME, UNIX_TIMESTAMP and FROM_UNIXTIME,
// CAST AS DATE, DATETIME(n) and TIME(n),
// over literals and over DATE, DATETIME and TIME columns, in SELECT lists and WHERE, with text
// that is no date (NULL, as MariaDB answers) and NULL arguments. The clock functions are checked
// by what holds whatever the time: NOW() = CURRENT_TIMESTAMP, CURDATE() = DATE(NOW()).
import { describe, it } from 'vitest';
import { mariadbOptions, mariadbUnreachable } from '../support/mariadb.js';
import { useTempStores } from '../support/temp-stores.js';
import { expectSameOutcomes, useMariadbDatabase } from './differential-outcomes.js';

const unreachable = await mariadbUnreachable(mariadbOptions, 'temporal functions differential test');

const schema = [
  'CREATE TABLE events (id INT PRIMARY KEY, d DATE, dt DATETIME(3), t TIME)',
  "INSERT INTO events VALUES (1, '2024-01-31', '2024-01-31 23:59:59.500', '10:11:12'), (2, '2024-02-29', '2024-02-29 00:00:00.000', '-01:30:00'), (3, '2023-12-31', '2000-03-01 12:00:00.125', '838:59:59'), (4, NULL, NULL, NULL)",
];

const queries = [
  "SELECT DATE_ADD('2024-01-31', INTERVAL 1 MONTH), DATE_SUB('2024-03-31', INTERVAL 1 MONTH), '2024-01-31' + INTERVAL 1 DAY, INTERVAL 2 DAY + '2024-01-31', '2024-03-01' - INTERVAL 1 DAY",
  "SELECT DATE_ADD('2024-01-31 10:00:00', INTERVAL 90 MINUTE), DATE_ADD('2024-01-31', INTERVAL '1:30' HOUR_MINUTE), DATE_ADD('2024-01-31', INTERVAL -1 YEAR), ADDDATE('2024-01-31', 30), SUBDATE('2024-01-31', 31)",
  "SELECT YEAR('2024-02-29'), MONTH('2024-02-29 10:11:12'), DAY('2024-02-29'), HOUR('2024-02-29 10:11:12'), MINUTE('10:11:12'), SECOND('10:11:12'), QUARTER('2024-05-01'), WEEK('2024-01-07'), HOUR('-838:00:00')",
  "SELECT DATEDIFF('2024-03-01', '2024-02-01'), TIMESTAMPDIFF(DAY, '2024-02-01', '2024-03-01'), TIMESTAMPDIFF(MONTH, '2024-01-31', '2024-02-29'), TIMESTAMPDIFF(HOUR, '2024-01-01 00:00:00', '2024-01-02 06:00:00')",
  "SELECT DATE_FORMAT('2024-02-29 13:05:09', '%Y-%m-%d %H:%i:%s %W %M %j'), DAYOFWEEK('2024-02-29'), WEEKDAY('2024-02-29'), DAYOFYEAR('2024-12-31'), DAYNAME('2024-02-29'), MONTHNAME('2024-02-29'), LAST_DAY('2024-02-10')",
  "SELECT EXTRACT(YEAR FROM '2024-02-29'), EXTRACT(YEAR_MONTH FROM '2024-02-29'), EXTRACT(HOUR FROM '2024-02-29 10:11:12'), DATE('2024-02-29 10:11:12'), TIME('2024-02-29 10:11:12'), UNIX_TIMESTAMP('2024-01-01 00:00:00'), FROM_UNIXTIME(1704067200)",
  "SELECT DATE_ADD('2024-13-01', INTERVAL 1 DAY), YEAR('nonsense'), DATEDIFF(NULL, '2024-01-01'), DATE_ADD(20240131, INTERVAL 1 DAY), DATE_ADD(NULL, INTERVAL 1 DAY)",
  "SELECT CAST('2024-02-29 10:11:12.5' AS DATE), CAST('2024-02-29' AS DATETIME), CAST('2024-02-29 10:11:12.567' AS DATETIME(2)), CAST('10:11:12' AS TIME), CAST('2024-02-29 10:11:12' AS TIME), CAST('nonsense' AS DATE), CAST(20240229 AS DATE)",
  'SELECT id, CAST(dt AS DATE), CAST(d AS DATETIME), CAST(dt AS TIME), CAST(t AS TIME(0)) FROM events ORDER BY id',
  'SELECT NOW() = CURRENT_TIMESTAMP, CURDATE() = DATE(NOW()), LENGTH(NOW(3)), UNIX_TIMESTAMP() > 1700000000, CURTIME() = TIME(NOW())',
  'SELECT id, d + INTERVAL 1 MONTH, DATE_SUB(dt, INTERVAL 1 SECOND), YEAR(d), MONTH(dt), HOUR(t), MINUTE(t), DATEDIFF(dt, d), DATE_FORMAT(dt, \'%d/%m/%Y %T.%f\'), LAST_DAY(d) FROM events ORDER BY id',
  'SELECT id, DAYOFWEEK(d), WEEKDAY(dt), DAYOFYEAR(d), WEEK(d), QUARTER(dt), TIMESTAMPDIFF(MINUTE, d, dt), EXTRACT(SECOND FROM t), TIME(dt), DATE(dt) FROM events ORDER BY id',
  "SELECT id FROM events WHERE d >= '2024-02-29' - INTERVAL 30 DAY ORDER BY id",
  'SELECT id FROM events WHERE YEAR(dt) = 2024 AND MONTH(d) IN (1, 2) ORDER BY id',
];

describe.skipIf(unreachable !== null)('date and time functions against MariaDB', () => {
  const maria = useMariadbDatabase('tidedb_temporal_functions');
  const stores = useTempStores('tidedb-temporal-functions-');

  it('gives the same answers', async () => {
    await expectSameOutcomes(stores.open(), maria(), schema, queries);
  });
});
