import { test } from "node:test";
import assert from "node:assert/strict";
import {
  FETCH_SIZE, PAGE_SIZE, indexLabel, neighbours, pageAround, pageCsv, parseIndex, ravel, unravel,
} from "../../static/js/ui/values-pages.js";

test("flat indexes unravel row-major, like torch's unravel_index", () => {
  assert.deepEqual(unravel(5, [2, 3]), [1, 2]);
  assert.deepEqual(unravel(23, [2, 3, 4]), [1, 2, 3]);
  assert.deepEqual(unravel(38_597_375, [50257, 768]), [50256, 767]);
  assert.deepEqual(unravel(0, []), []);
  assert.equal(indexLabel(769, [50257, 768]), "[1, 1]");
});

test("ravel is unravel's inverse and refuses indexes outside the shape", () => {
  for (let flat = 0; flat < 24; flat += 1) assert.equal(ravel(unravel(flat, [2, 3, 4]), [2, 3, 4]), flat);
  assert.equal(ravel([2, 0], [2, 3]), null);
  assert.equal(ravel([1], [2, 3]), null);
});

test("go to index reads a flat index or one number per dimension", () => {
  assert.deepEqual(parseIndex("1234", [400, 300], 120_000), { flat: 1234 });
  assert.deepEqual(parseIndex("[3, 17]", [400, 300], 120_000), { flat: 917 });
  assert.deepEqual(parseIndex(" 3 17 ", [400, 300], 120_000), { flat: 917 });
  assert.match(parseIndex("120000", [400, 300], 120_000).error, /^No element 120000 in a tensor of shape \[400, 300\]/);
  assert.match(parseIndex("3, 300", [400, 300], 120_000).error, /^No element 3, 300/);
  assert.match(parseIndex("-1", [400, 300], 120_000).error, /^Type an element index/);
  assert.match(parseIndex("", [400, 300], 120_000).error, /^Type an element index/);
});

test("pages sit inside fetched blocks and move by one page", () => {
  assert.equal(FETCH_SIZE % PAGE_SIZE, 0); // a page never needs two fetches
  assert.deepEqual(pageAround(70_123), { start: 69_632, fetchStart: 65_536 });
  assert.deepEqual(neighbours(0, 2_500), { previous: null, next: 1_024 });
  assert.deepEqual(neighbours(2_048, 2_500), { previous: 1_024, next: null });
});

test("a page's CSV has one column per dimension and the values as sent", () => {
  assert.equal(pageCsv([0.5, "NaN", -2], 3, [2, 3]), "i0,i1,flat_index,value\n1,0,3,0.5\n1,1,4,NaN\n1,2,5,-2\n");
});
